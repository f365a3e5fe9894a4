"""Write every ``configs/<folder>/metafile.yaml``, the root
``model-index.yml`` and the generated tables of the folders' READMEs
(between ``<!-- zoo:start -->`` and ``<!-- zoo:end -->``).

A maintainer's script, not a tool: run it after adding or renaming a
config (``python .dev_scripts/update_model_zoo.py``; it loads every
config, ~6 min on the 2-core machine). ``tests/test_model_zoo.py`` fails
until it has been run. The published numbers below are the ones the
configs' comments and docs cite, each with its source; nothing here was
trained on this project's machines except the demo.
"""
import argparse
import glob
import json
import os
import os.path as osp
import re
from collections import OrderedDict, defaultdict

import yaml

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

FOLDERS = ['kd', 'dkd', 'gdkd', 'gdkd3', 'cwd', 'ctkd', 'baselines',
           'cirkd_protocol', 'cls', 'mim', 'demo']

# ---------------------------------------------------------------- papers
PAPERS = {
    'KD': ('Distilling the Knowledge in a Neural Network',
           'https://arxiv.org/abs/1503.02531'),
    'DKD': ('Decoupled Knowledge Distillation',
            'https://arxiv.org/abs/2203.08679'),
    'GDKD': ('Rethinking Decoupled Knowledge Distillation: A Predictive '
             'Distribution Perspective', 'https://arxiv.org/abs/2512.04625'),
    'LS': ('Logit Standardization in Knowledge Distillation',
           'https://arxiv.org/abs/2403.01427'),
    'CWD': ('Channel-wise Knowledge Distillation for Dense Prediction',
            'https://arxiv.org/abs/2011.13256'),
    'CTKD': ('Curriculum Temperature for Knowledge Distillation',
             'https://arxiv.org/abs/2211.16231'),
    'MLKD': ('Multi-level Logit Distillation',
             'https://openaccess.thecvf.com/content/CVPR2023/html/Jin_Multi-'
             'Level_Logit_Distillation_CVPR_2023_paper.html'),
    'CIRKD': ('Cross-Image Relational Knowledge Distillation for Semantic '
              'Segmentation', 'https://arxiv.org/abs/2204.06986'),
    'DMAE': ('Masked Autoencoders Enable Efficient Knowledge Distillers',
             'https://arxiv.org/abs/2208.12256'),
    'AMD': ('Asymmetric Masked Distillation for Pre-Training Small '
            'Foundation Models', 'https://arxiv.org/abs/2311.03149'),
}
# a method folder's collection: (name, paper key)
METHOD = {
    'kd': 'KD', 'kd_ls': 'KD+LS', 'dkd': 'DKD', 'dkd_ls': 'DKD+LS',
    'gdkd': 'GDKD', 'gdkd_ls': 'GDKD+LS', 'gdkd3': 'GDKD3',
    'gdkd3_ls': 'GDKD3+LS', 'cwd': 'CWD', 'cwd_ls': 'CWD+LS',
    'ctkd': 'CTKD', 'ctkd_ls': 'CTKD+LS', 'mlkd': 'MLKD',
    'mlkd_ls': 'MLKD+LS', 'dmae': 'DMAE', 'amd': 'AMD',
}
DATASETS = {
    'CityscapesDataset': 'Cityscapes', 'ADE20KDataset': 'ADE20K',
    'COCOStuffDataset': 'COCO-Stuff 164k',
    'ConcatDataset': 'Pascal VOC 2012 + Aug', 'CIFAR100': 'CIFAR-100',
    'ImageNet': 'ImageNet-1k', 'DemoDigitsDataset': 'digits (demo)',
}
SEG_TASK, CLS_TASK = 'Semantic Segmentation', 'Image Classification'

# ------------------------------------------------ teachers of other zoos
# config -> (name, dataset, metric, value, source); the weights are the
# configs' own teacher_ckpt
ZOO_TEACHERS = {
    'mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py':
    ('DeepLabV3-R101-D8', 'Cityscapes', 'mIoU', 80.20),
    'mmseg::pspnet/pspnet_r101-d8_4xb2-80k_cityscapes-512x1024.py':
    ('PSPNet-R101-D8', 'Cityscapes', 'mIoU', 79.76),
    'mmseg::segformer/segformer_mit-b4_8xb1-160k_cityscapes-1024x1024.py':
    ('SegFormer MiT-B4', 'Cityscapes', 'mIoU', 81.89),
    'mmseg::ocrnet/ocrnet_hr48_4xb2-160k_cityscapes-512x1024.py':
    ('OCRNet-HRNetV2p-W48', 'Cityscapes', 'mIoU', 81.35),
    'mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-160k_ade20k-512x512.py':
    ('DeepLabV3-R101-D8', 'ADE20K', 'mIoU', 45.00),
    'mmseg::pspnet/pspnet_r101-d8_4xb4-160k_ade20k-512x512.py':
    ('PSPNet-R101-D8', 'ADE20K', 'mIoU', 44.39),
    'mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-320k_coco-stuff164k-512x512.py':
    ('DeepLabV3-R101-D8', 'COCO-Stuff 164k', 'mIoU', 42.61),
    'mmseg::pspnet/pspnet_r101-d8_4xb4-320k_coco-stuff164k-512x512.py':
    ('PSPNet-R101-D8', 'COCO-Stuff 164k', 'mIoU', 41.95),
    'mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-20k_voc12aug-512x512.py':
    ('DeepLabV3-R101-D8', 'Pascal VOC 2012 + Aug', 'mIoU', 78.70),
    'mmseg::pspnet/pspnet_r101-d8_4xb4-40k_voc12aug-512x512.py':
    ('PSPNet-R101-D8', 'Pascal VOC 2012 + Aug', 'mIoU', 78.52),
    'mmpretrain::resnet/resnet34_8xb32_in1k.py':
    ('ResNet-34', 'ImageNet-1k', 'Top 1 Accuracy', 73.62),
    'mmpretrain::resnet/resnet50_8xb32_in1k.py':
    ('ResNet-50', 'ImageNet-1k', 'Top 1 Accuracy', 76.55),
    'mmpretrain::resnet/resnet101_8xb32_in1k.py':
    ('ResNet-101', 'ImageNet-1k', 'Top 1 Accuracy', 77.97),
    'mmpretrain::mae/mae_vit-base-p16_8xb512-amp-coslr-1600e_in1k.py':
    ('MAE ViT-B/16 (1600 epochs)', 'ImageNet-1k', None, None),
    'mmpretrain::mae/mae_vit-large-p16_8xb512-amp-coslr-1600e_in1k.py':
    ('MAE ViT-L/16 (1600 epochs)', 'ImageNet-1k', None, None),
}
ZOO_SOURCE = {'mmseg': 'MMSeg metafile, val single scale',
              'mmpretrain': 'MMPretrain metafile'}

# ------------------------------------------- published numbers (targets)
CIFAR = {  # (teacher, student) -> KD, DKD, KD+LS, DKD+LS (docs/losses.md §8.2)
    ('resnet56', 'resnet20'): (70.66, 71.97, 71.43, 72.32),
    ('resnet110', 'resnet32'): (73.08, 74.11, 74.17, 74.29),
    ('resnet32x4', 'resnet8x4'): (73.33, 76.32, 76.62, 77.01),
    ('wrn-40-2', 'wrn-16-2'): (74.92, 76.23, 76.11, 76.39),
    ('wrn-40-2', 'wrn-40-1'): (73.54, 74.81, 74.37, 74.89),
    ('vgg13', 'vgg8'): (72.98, 74.68, 74.36, 74.81),
    ('resnet32x4', 'shufflenet-v1'): (74.07, 76.45, None, None),
    ('wrn-40-2', 'shufflenet-v1'): (74.83, 76.70, None, None),
    ('vgg13', 'mobilenet-v2'): (67.37, 69.71, 68.61, 69.98),
    ('resnet50', 'mobilenet-v2'): (67.35, 70.35, 69.02, 70.45),
    ('resnet32x4', 'shufflenet-v2'): (74.45, 77.07, 75.56, 77.37),
}
CIFAR_SRC = ('mdistiller README (KD, DKD) / logit-standardization-KD '
             'README (+LS)')
IMAGENET = {  # (method, teacher, student) -> top-1 (docs/losses.md §8.3)
    ('kd', 'resnet34', 'resnet18'): (71.03, 'mdistiller README'),
    ('dkd', 'resnet34', 'resnet18'): (71.70, 'mdistiller README'),
    ('kd_ls', 'resnet34', 'resnet18'):
    (71.45, "logit-standardization-KD's log (best epoch)"),
    ('kd', 'resnet50', 'mobilenet-v1'): (70.50, 'mdistiller README'),
    ('dkd', 'resnet50', 'mobilenet-v1'): (72.05, 'mdistiller README'),
}
VIT_CIFAR = {  # student -> (baseline, KD+LS) (LS paper's ViT table)
    'deit-tiny-p16': (65.08, 78.55), 't2t-vit-7': (69.37, 78.43),
    'pit-tiny': (73.58, 78.76), 'pvt-tiny': (69.22, 78.43),
}
VIT_SRC = 'LS paper (CVPR 2024), ViT table (tiny-transformers recipe)'
PUBLISHED = {  # config path -> (dataset, metric, value, source)
    'configs/baselines/deeplabv3_r18_cityscapes.py':
    ('Cityscapes', 'mIoU', 76.70, ZOO_SOURCE['mmseg']),
    'configs/baselines/deeplabv3_mbv2_cityscapes.py':
    ('Cityscapes', 'mIoU', 73.84, ZOO_SOURCE['mmseg']),
    'configs/baselines/pspnet_r18_cityscapes.py':
    ('Cityscapes', 'mIoU', 74.87, ZOO_SOURCE['mmseg']),
    'configs/baselines/segformer_mit-b0_cityscapes.py':
    ('Cityscapes', 'mIoU', 76.54, ZOO_SOURCE['mmseg']),
    'configs/cirkd_protocol/teacher/deeplabv3-r101_8xb2-40k_cityscapes-'
    '512x1024.py': ('Cityscapes', 'mIoU', 78.07, 'CIRKD README 91735ef'),
    'configs/cirkd_protocol/baselines/deeplabv3-r18_8xb2-40k_cityscapes-'
    '512x1024.py': ('Cityscapes', 'mIoU', 74.21, 'CIRKD README 91735ef'),
    'configs/cirkd_protocol/baselines/deeplabv3-mbv2_8xb2-40k_cityscapes-'
    '512x1024.py': ('Cityscapes', 'mIoU', 73.12, 'CIRKD README 91735ef'),
    'configs/cirkd_protocol/baselines/pspnet-r18_8xb2-40k_cityscapes-'
    '512x1024.py': ('Cityscapes', 'mIoU', 72.55, 'CIRKD README 91735ef'),
    'configs/cls/imagenet/baselines/vit-base-p16_64xb64-300e_in1k.py':
    ('ImageNet-1k', 'Top 1 Accuracy', 81.072, 'torchvision vit_b_16'),
    'configs/cls/imagenet/baselines/vit-base-p32_16xb256-300e_in1k.py':
    ('ImageNet-1k', 'Top 1 Accuracy', 75.912, 'torchvision vit_b_32'),
    'configs/mim/dmae/benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py':
    ('ImageNet-1k', 'Top 1 Accuracy', 84.0, 'DMAE README'),
    'configs/mim/amd/benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py':
    ('ImageNet-1k', 'Top 1 Accuracy', 84.6, 'AMD README, MODEL_ZOO.md'),
    'configs/mim/amd/benchmarks/vit-small-p16_8xb128-coslr-100e_in1k.py':
    ('ImageNet-1k', 'Top 1 Accuracy', 82.1, 'AMD README, MODEL_ZOO.md'),
}
# CIRKD's logit+feature CWD (train_cwd.sh) is not our logit-only CWD: the
# CWD configs of the protocol get no published target.

_PAIR = re.compile(r'^(?:(?P<variant>[a-z]+)_)?(?P<teacher>[\w.-]+?)_to_'
                   r'(?P<student>[\w.-]+?)_(?P<sched>\d+xb\d+[\w-]*?)_'
                   r'(?P<data>[a-z][\w-]*)$')


def published(path, folder, method_dir, pair):
    if path in PUBLISHED:
        return PUBLISHED[path]
    if folder != 'cls' or pair is None:
        return None
    t, s = pair['teacher'], pair['student']
    if '/cifar100/' in path:
        if s in VIT_CIFAR and method_dir == 'kd_ls':
            return ('CIFAR-100', 'Top 1 Accuracy', VIT_CIFAR[s][1], VIT_SRC)
        cols = {'kd': 0, 'dkd': 1, 'kd_ls': 2, 'dkd_ls': 3}
        row = CIFAR.get((t, s))
        if row and method_dir in cols and row[cols[method_dir]] is not None:
            return ('CIFAR-100', 'Top 1 Accuracy', row[cols[method_dir]],
                    CIFAR_SRC)
    if '/imagenet/' in path and (method_dir, t, s) in IMAGENET:
        value, src = IMAGENET[(method_dir, t, s)]
        return ('ImageNet-1k', 'Top 1 Accuracy', value, src)
    return None


def vit_baseline(path):
    m = re.search(r'cifar100/baselines/([\w-]+?)_1xb128', path)
    if m and m.group(1) in VIT_CIFAR:
        return ('CIFAR-100', 'Top 1 Accuracy', VIT_CIFAR[m.group(1)][0],
                VIT_SRC)
    return None


# ------------------------------------------------------------ configs
def load_configs(cache):
    if cache and osp.exists(cache):
        with open(cache) as f:
            return json.load(f)
    from mmengine.config import Config

    import gdkd_seg  # noqa: F401
    out = {}
    for p in sorted(glob.glob(osp.join(ROOT, 'configs/**/*.py'),
                              recursive=True)):
        rel = osp.relpath(p, ROOT)
        if '_base_' in rel.split(os.sep):
            continue
        cfg = Config.fromfile(p)
        model = cfg.get('model', {})
        d = dict(type=model.get('type'))
        for k in ('teacher', 'teacher_ckpt'):
            v = model.get(k)
            d[k] = v if isinstance(v, str) else None
        try:
            d['data'] = cfg.train_dataloader.dataset.type
        except AttributeError:
            d['data'] = None
        tc = cfg.get('train_cfg') or {}
        d['iters'], d['epochs'] = tc.get('max_iters'), tc.get('max_epochs')
        student = model.get('student')
        backbone = (student or model).get('backbone') or {}
        d['student'] = backbone.get('type')
        out[rel] = d
    if cache:
        with open(cache, 'w') as f:
            json.dump(out, f, indent=1)
    return out


def dataset_of(path, info):
    for key, name in (('tiny-imagenet', 'Tiny-ImageNet'), ('/cub/', 'CUB'),
                      ('voc12aug', 'Pascal VOC 2012 + Aug')):
        if key in path:
            return name
    return DATASETS.get(info['data'], info['data'])


def relpath_teacher(teacher):
    if teacher is None:
        return None
    if '::' in teacher:
        return teacher
    return osp.relpath(osp.normpath(teacher), ROOT)


def unique_name(parts, stem):
    """A name unique over the whole index: the seg method folders share
    file names (``kd/`` and ``gdkd/`` both hold
    ``deeplabv3_r101_to_r18_cityscapes.py``), so the folder leads."""
    folder, sub = parts[1], parts[2:-1]
    if folder == 'cls':
        return '_'.join(['cls'] + sub[:1] + [stem]) if (
            sub[-1] == 'baselines') else stem
    if folder == 'mim':
        return '_'.join(sub + [stem]) if 'benchmarks' in sub else stem
    if folder == 'cirkd_protocol':
        return 'cirkd_' + stem
    if folder in ('demo', 'baselines'):
        return f'{folder}_{stem}'
    return f'{folder}_{stem}'


def entry(path, info):
    parts = path.split('/')
    folder = parts[1]
    stem = osp.splitext(parts[-1])[0]
    method_dir = parts[-2]
    task = SEG_TASK
    if folder == 'cls' or (folder == 'mim' and 'ade20k' not in stem):
        task = CLS_TASK
    dataset = dataset_of(path, info)
    is_distill = info.get('teacher') is not None
    if folder == 'mim' and info['type'] in ('DMAE', 'AMD'):
        collection = info['type']
    elif is_distill:
        if folder in ('cls', 'cirkd_protocol'):
            collection = METHOD[method_dir]
        else:
            ls = '_ls_' in stem
            method = stem.split('_')[0] if folder == 'demo' else folder
            collection = METHOD[method] + ('+LS' if ls else '')
            if folder == 'cwd' and '_cwd_gdkd_' in stem:
                collection = 'CWD+GDKD'
            if folder == 'ctkd':
                collection = 'CTKD'
        if folder == 'cls':
            collection = f'{collection} (classification)'
        elif folder == 'cirkd_protocol':
            collection = f'{collection} (CIRKD protocol)'
        elif folder == 'demo':
            collection = f'{collection} (demo)'
    else:
        collection = {
            'baselines': 'Segmentation students',
            'cirkd_protocol': 'CIRKD protocol models',
            'cls': 'Classification baselines',
            'mim': 'Masked-image downstream',
            'demo': 'Demo models',
        }[folder]
    m = _PAIR.match(stem[len(method_dir) + 1:] if stem.startswith(
        method_dir + '_') else stem)
    pair = m.groupdict() if m else None
    meta = OrderedDict()
    meta['Training Data'] = dataset
    if info.get('student'):
        meta['Architecture'] = [info['student']]
    sched = (f"{info['iters']} iterations" if info.get('iters') else
             f"{info['epochs']} epochs" if info.get('epochs') else None)
    if sched:
        meta['Schedule'] = sched
    g = re.search(r'(\d+)xb(\d+)', stem)
    if g:
        meta['Batch Size'] = int(g.group(1)) * int(g.group(2))
        meta['Training Resources'] = f'{g.group(1)} GPUs'
    if is_distill:
        meta['Teacher Config'] = relpath_teacher(info['teacher'])
        if info.get('teacher_ckpt'):
            meta['Teacher Weights'] = info['teacher_ckpt']
    meta['Trained Here'] = ('yes: tools/demo.py' if folder == 'demo' else
                            'no')
    e = OrderedDict(Name=unique_name(parts, stem))
    e['In Collection'] = collection
    e['Config'] = path
    e['Metadata'] = meta
    pub = published(path, folder, method_dir, pair) or vit_baseline(path)
    if pub:
        d, metric, value, source = pub
        e['Results'] = [OrderedDict(Task=task, Dataset=d,
                                    Metrics={metric: value})]
        meta['Results Source'] = f'published, not trained here: {source}'
    return e, pair


def teacher_entries(teachers):
    out = []
    for cfg, ckpt in sorted(teachers.items()):
        name, dataset, metric, value = ZOO_TEACHERS[cfg]
        scope, rel = cfg.split('::')
        e = OrderedDict(Name='teacher_' + osp.splitext(osp.basename(rel))[0])
        e['In Collection'] = (
            'Teachers (MMSegmentation model zoo)' if scope == 'mmseg' else
            'Teachers (MMPretrain MAE)' if '/mae_' in cfg else
            'Teachers (MMPretrain model zoo)')
        e['Config'] = cfg
        e['Metadata'] = OrderedDict([('Training Data', dataset),
                                     ('Architecture', [name]),
                                     ('Trained Here', 'no')])
        if value is not None:
            task = SEG_TASK if scope == 'mmseg' else CLS_TASK
            e['Results'] = [OrderedDict(Task=task, Dataset=dataset,
                                        Metrics={metric: value})]
            e['Metadata']['Results Source'] = ZOO_SOURCE[scope]
        e['Weights'] = ckpt
        out.append(e)
    return out


def collection(name, readme):
    base = name.split(' (')[0]
    keys = [k for k in re.split(r'\+', base) if k in PAPERS]
    c = OrderedDict(Name=name)
    c['License'] = 'Apache License 2.0'
    if keys:
        # one paper (MMSeg's schema): mim's search joins a list of papers
        # as strings and fails on a list of mappings. +LS: the README
        # cites both.
        c['Paper'] = OrderedDict(Title=PAPERS[keys[0]][0],
                                 URL=PAPERS[keys[0]][1])
    c['README'] = readme
    c['Frameworks'] = ['PyTorch']
    return c


def _represent_odict(dumper, data):
    return dumper.represent_mapping('tag:yaml.org,2002:map', data.items())


def write_zoo(cache):
    yaml.add_representer(OrderedDict, _represent_odict)
    infos = load_configs(cache)
    by_folder = defaultdict(list)
    teachers = defaultdict(dict)  # home folder -> {config: ckpt}
    home = {'mmseg': 'baselines', 'mmpretrain::resnet': 'cls',
            'mmpretrain::mae': 'mim'}
    for path, info in sorted(infos.items()):
        folder = path.split('/')[1]
        e, pair = entry(path, info)
        by_folder[folder].append((e, pair))
        t = info.get('teacher')
        if t in ZOO_TEACHERS:
            key = next(k for k in home if t.startswith(k))
            teachers[home[key]].setdefault(t, info.get('teacher_ckpt'))
    imports = []
    for folder in FOLDERS:
        readme = f'configs/{folder}/README.md'
        models = [e for e, _ in by_folder[folder]]
        models += teacher_entries(teachers.get(folder, {}))
        names = list(OrderedDict.fromkeys(e['In Collection']
                                          for e in models))
        doc = OrderedDict(Collections=[collection(n, readme) for n in names],
                          Models=models)
        out = osp.join(ROOT, 'configs', folder, 'metafile.yaml')
        with open(out, 'w') as f:
            f.write('# Generated by .dev_scripts/update_model_zoo.py from '
                    'the configs;\n# published numbers: see the README '
                    'of this folder.\n')
            yaml.dump(doc, f, sort_keys=False, allow_unicode=True,
                      width=200)
        imports.append(f'configs/{folder}/metafile.yaml')
        write_table(folder, models)
    with open(osp.join(ROOT, 'model-index.yml'), 'w') as f:
        f.write('# Read by `mim search gdkd_seg` (shipped as '
                'gdkd_seg/.mim/model-index.yml)\n')
        yaml.dump({'Import': imports}, f, sort_keys=False)


# teachers given as a model fragment: the score of the config they are
TEACHER_ALIAS = {
    'configs/cirkd_protocol/_base_/models/deeplabv3_r101.py':
    'configs/cirkd_protocol/teacher/deeplabv3-r101_8xb2-40k_cityscapes-'
    '512x1024.py',
}


def _score(config):
    """(value metric, source) published for a config, or None."""
    config = TEACHER_ALIAS.get(config, config)
    if config in ZOO_TEACHERS:
        _, _, metric, value = ZOO_TEACHERS[config]
        scope = config.split('::')[0]
        return (f'{value} {metric}', ZOO_SOURCE[scope]) if value else None
    pub = PUBLISHED.get(config) or vit_baseline(config)
    return (f'{pub[2]} {pub[1]}', pub[3]) if pub else None


_SEG_DATA = ('cityscapes', 'ade20k', 'coco-stuff164k', 'voc12aug')


def student_baseline(path):
    """The config of the student trained alone, where one is shipped."""
    parts = path.split('/')
    folder, stem = parts[1], osp.splitext(parts[-1])[0]
    if '_to_' not in stem:
        return None
    if folder in ('kd', 'dkd', 'gdkd', 'gdkd3', 'cwd', 'ctkd'):
        data = next(d for d in _SEG_DATA if stem.endswith(d))
        head = 'pspnet' if stem.startswith('pspnet') else 'deeplabv3'
        student = stem.split('_to_')[1]
        if stem.startswith('segformer'):
            cand = 'segformer_mit-b0_cityscapes'
        elif 'mbv2' in student:
            cand = f'deeplabv3_mbv2_{data}'
        else:
            cand = f'{head}_r18_{data}'
        cand = f'configs/baselines/{cand}.py'
    elif folder == 'cirkd_protocol':
        student = stem.split('_to_')[1].split('_')[0]
        cand = (f'configs/cirkd_protocol/baselines/{student}_8xb2-40k_'
                'cityscapes-512x1024.py')
    elif folder == 'cls':
        m = _PAIR.match(stem.split('_', 1)[1] if not stem.startswith(
            'mlkd_intent') else stem[len('mlkd_intent_'):])
        if not m:
            return None
        base = osp.join(*parts[:3], 'baselines')
        cand = (f"{base}/{m.group('student')}_{m.group('sched')}_"
                f"{m.group('data')}.py")
        if not osp.exists(osp.join(ROOT, cand)):
            hits = sorted(glob.glob(osp.join(
                ROOT, base, f"{m.group('student')}_*.py")))
            cand = osp.relpath(hits[0], ROOT) if len(hits) == 1 else None
    else:
        return None
    return cand if cand and osp.exists(osp.join(ROOT, cand)) else None


def _short(config, folder):
    if config is None:
        return '—'
    return '`' + (config[len(f'configs/{folder}/'):]
                  if config.startswith(f'configs/{folder}/') else
                  config) + '`'


def write_table(folder, models):
    """The README's table: every config of the folder (and the zoo
    teachers it lists), from the same entries as the metafile."""
    readme = osp.join(ROOT, 'configs', folder, 'README.md')
    if not osp.exists(readme):
        return
    lines = [
        '| config | method | data | teacher | teacher score | '
        'student baseline | baseline score | published target | here |',
        '|---|---|---|---|---|---|---|---|---|'
    ]
    for e in models:
        meta, cfg = e['Metadata'], e['Config']
        teacher = meta.get('Teacher Config')
        t_score = _score(teacher) if teacher else None
        base = student_baseline(cfg)
        b_score = _score(base) if base else None
        res = e.get('Results')
        target = '—'
        if res:
            metric, value = next(iter(res[0]['Metrics'].items()))
            src = meta['Results Source'].rpartition('not trained here: ')[2]
            target = f'{value} {metric} ({src})'
        here = {'no': 'not trained here'}.get(meta['Trained Here'],
                                               meta['Trained Here'])
        if e.get('Weights'):
            here += f" ([weights]({e['Weights']}))"
        lines.append(' | '.join([
            '', _short(cfg, folder), e['In Collection'],
            meta['Training Data'], _short(teacher, folder) if teacher
            else '—',
            f'{t_score[0]} ({t_score[1]})' if t_score else '—',
            _short(base, folder) if base else '—',
            f'{b_score[0]} ({b_score[1]})' if b_score else
            ('train it' if base else '—'), target, here, ''
        ]).strip())
    with open(readme) as f:
        text = f.read()
    start, end = '<!-- zoo:start -->', '<!-- zoo:end -->'
    if start not in text:
        return
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    with open(readme, 'w') as f:
        f.write(head + start + '\n' + '\n'.join(lines) + '\n' + end + tail)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--cache', help='JSON cache of the parsed configs '
                        '(written on the first run, read afterwards)')
    write_zoo(parser.parse_args().cache)
