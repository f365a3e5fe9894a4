"""Classification through the real CLIs on tiny datasets in the real
on-disk formats: a teacher trained by its baseline config, a student
distilled from it, evaluated by ``tools/test.py``, exported and loaded by
plain MMPretrain."""
import os
import os.path as osp
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from mmengine.config import Config

import gdkd_seg.cls  # noqa: F401  (registrations)
from gdkd_seg.apis import extract_student
from gdkd_seg.checkpoint.safe_load import (load_mmengine_checkpoint,
                                           mmengine_checkpoint_loading)
from tests.conftest import REPO, run_tool
from tests.e2e.conftest import COMMON, ENV, loader_options

CLS = osp.join('configs', 'cls')


def write_imagenet_tree(root: str, n_classes: int, per_class: int,
                        n_val: int, seed: int = 0) -> None:
    """The Tiny-ImageNet folder tree (``train/<wnid>/images/*.JPEG``,
    ``val/images/*.JPEG``, ``wnids.txt``) plus MMPretrain's ImageNet-style
    split files ``meta/train.txt`` / ``meta/val.txt``."""
    import cv2
    rng = np.random.default_rng(seed)
    wnids = [f'n{10000000 + 7 * i:08d}' for i in range(n_classes)]
    colours = rng.integers(30, 226, (n_classes, 3))
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)

    def image(label):
        img = colours[label] + rng.normal(0, 20, (64, 64, 3))
        return np.clip(img, 0, 255).astype(np.uint8)

    lines = []
    for c, wnid in enumerate(wnids):
        os.makedirs(osp.join(root, 'train', wnid, 'images'), exist_ok=True)
        for i in range(per_class):
            rel = f'{wnid}/images/{wnid}_{i}.JPEG'
            cv2.imwrite(osp.join(root, 'train', rel), image(c))
            lines.append(f'{rel} {c}')
    with open(osp.join(root, 'meta', 'train.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    os.makedirs(osp.join(root, 'val', 'images'), exist_ok=True)
    lines = []
    for i in range(n_val):
        c = i % n_classes
        cv2.imwrite(osp.join(root, 'val', 'images', f'val_{i}.JPEG'),
                    image(c))
        lines.append(f'images/val_{i}.JPEG {c}')
    with open(osp.join(root, 'meta', 'val.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(osp.join(root, 'wnids.txt'), 'w') as f:
        f.write('\n'.join(wnids) + '\n')


def top1(output: str) -> float:
    """The ``accuracy/top1`` that tools/test.py logs."""
    found = re.findall(r'accuracy/top1: ([0-9.]+)', output)
    assert found, f'no accuracy/top1 in the output:\n{output[-3000:]}'
    return float(found[-1])


def test_cifar100_teacher_distill_test_export(tiny_cifar, tmp_path):
    """ResNet56 -> ResNet20 GDKD with the shipped configs."""
    tmp, cli, opts = tmp_path, tiny_cifar.cli, tiny_cifar.opts
    base = osp.join(CLS, 'cifar100', 'baselines')
    # 1. the teacher, trained by its baseline config (1 epoch)
    t_ckpt = tiny_cifar.teacher('resnet56')
    # 2. the student, distilled by the shipped GDKD config (2 epochs)
    cfg = osp.join(CLS, 'cifar100', 'gdkd',
                   'gdkd_resnet56_to_resnet20_1xb64-240e_cifar100.py')
    s_dir = tmp / 'student'
    out = cli('tools/train.py', cfg, '--work-dir', str(s_dir),
              '--cfg-options', 'train_cfg.max_epochs=2',
              f'model.teacher_ckpt={t_ckpt}', *opts)
    log = out.stdout + out.stderr
    for key in ('loss_gdkd', 'gdkd_high', 'gdkd_low_top', 'gdkd_low_other'):
        assert key in log, key
    ckpt = s_dir / 'epoch_2.pth'
    assert ckpt.is_file()
    state = load_mmengine_checkpoint(str(ckpt))['state_dict']
    assert state and all(k.startswith('student.') for k in state)
    # 3. tools/test.py evaluates the student
    acc = top1(cli('tools/test.py', cfg, str(ckpt), '--work-dir',
                   str(tmp / 'test'), '--cfg-options', *opts).stdout)
    assert 0 <= acc <= 100
    # 4. the exported student loads strictly into the classifier of the
    # student's own baseline config and gives the distilled student's
    # logits
    exported = tmp / 'resnet20_student.pth'
    run_tool('tools/extract_student.py', str(ckpt), str(exported), env=ENV)
    from mmengine.runner import load_checkpoint
    from mmpretrain.registry import MODELS
    plain = MODELS.build(Config.fromfile(osp.join(
        REPO, base, 'resnet20_1xb64-240e_cifar100.py')).model)
    load_checkpoint(plain, str(exported), strict=True)
    distilled = Config.fromfile(osp.join(REPO, cfg)).model
    distilled.teacher_ckpt = None
    distilled = MODELS.build(distilled)
    with mmengine_checkpoint_loading():
        load_checkpoint(distilled, str(ckpt), strict=True)
    x = torch.randn(4, 3, 32, 32)
    plain.eval(), distilled.eval()
    with torch.no_grad():
        torch.testing.assert_close(plain(x, mode='tensor'),
                                   distilled(x, mode='tensor'))
    # 5. the run's own checkpoints are plain data: MMPretrain's get_model
    # and ImageClassificationInferencer read them with torch's default
    # loading (no loader of ours), and so does a bare torch.load in a
    # process without gdkd_seg, for the best checkpoint and the export too
    from mmpretrain.apis import ImageClassificationInferencer, get_model
    api = get_model(osp.join(REPO, cfg), pretrained=str(ckpt), device='cpu')
    with torch.no_grad():
        torch.testing.assert_close(api(x, mode='tensor'),
                                   distilled(x, mode='tensor'), rtol=0,
                                   atol=0)
    image = np.random.default_rng(0).integers(0, 255, (32, 32, 3),
                                              dtype=np.uint8)
    scores = ImageClassificationInferencer(
        osp.join(REPO, cfg), pretrained=str(ckpt), device='cpu')(image)[0]
    assert len(scores['pred_scores']) == 100
    best = sorted(s_dir.glob('best_accuracy_top1_epoch_*.pth'))
    assert len(best) == 1  # save_best of the shipped cls runtime
    code = ('import sys, torch\n'
            'for path in sys.argv[1:]: torch.load(path)\n'
            "assert 'gdkd_seg' not in sys.modules\nprint('PLAIN_OK')")
    proc = subprocess.run([sys.executable, '-c', code, str(ckpt),
                           str(best[0]), str(exported)], cwd=str(tmp),
                          env=dict(ENV, PATH='/usr/bin:/bin'),
                          capture_output=True, text=True, timeout=300)
    assert 'PLAIN_OK' in proc.stdout, proc.stderr[-3000:]


def test_tiny_imagenet_folder_tree_teacher_distill_export(tmp_path):
    """ResNet34 -> ResNet18 GDKD, transfer-learning configs, on an
    ImageNet-style folder tree with split files (images shrunk to 32)."""
    root = str(tmp_path / 'tiny-imagenet-200')
    write_imagenet_tree(root, n_classes=4, per_class=4, n_val=8)
    shrink = []
    for loader in ('val_dataloader', 'test_dataloader'):
        shrink += [f'{loader}.dataset.pipeline.1.scale=36',
                   f'{loader}.dataset.pipeline.2.crop_size=32']
    opts = loader_options(root, 8) + shrink + COMMON + [
        'train_dataloader.dataset.pipeline.1.scale=32',
        'train_cfg.max_epochs=1'
    ]
    ti = osp.join(CLS, 'tiny-imagenet')
    t_dir = tmp_path / 'teacher'
    # the zoo (ImageNet) initialisation is switched off: no downloads
    run_tool('tools/train.py',
             osp.join(ti, 'baselines', 'resnet34_1xb32-100e_tinyimagenet.py'),
             '--work-dir', str(t_dir), '--cfg-options',
             'model.backbone.init_cfg=None', *opts, env=ENV)
    t_ckpt = t_dir / 'epoch_1.pth'
    assert t_ckpt.is_file()
    cfg = osp.join(ti, 'gdkd',
                   'gdkd_resnet34_to_resnet18_1xb64-100e_tinyimagenet.py')
    s_dir = tmp_path / 'student'
    out = run_tool('tools/train.py', cfg, '--work-dir', str(s_dir),
                   '--cfg-options', f'model.teacher_ckpt={t_ckpt}',
                   'model.student.backbone.init_cfg=None', *opts, env=ENV)
    log = out.stdout + out.stderr
    assert 'loss_gdkd' in log
    # the validation after the epoch reports top-1 and top-5
    assert re.search(r'accuracy/top1: [0-9.]+', log)
    assert re.search(r'accuracy/top5: [0-9.]+', log)
    ckpt = s_dir / 'epoch_1.pth'
    exported = tmp_path / 'resnet18_student.pth'
    assert extract_student(str(ckpt), str(exported)) > 0
    from mmpretrain.registry import MODELS
    distilled = Config.fromfile(osp.join(REPO, cfg)).model
    distilled.teacher_ckpt = None
    distilled = MODELS.build(distilled).eval()
    from mmengine.runner import load_checkpoint
    with mmengine_checkpoint_loading():
        load_checkpoint(distilled, str(ckpt), strict=True)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        ref = distilled(x, mode='tensor')
    torch.save(dict(x=x, logits=ref), str(tmp_path / 'ref.pth'))
    # plain MMPretrain, without gdkd_seg, loads the export strictly
    student_cfg = osp.join(REPO, ti, 'baselines',
                           'resnet18_1xb64-100e_tinyimagenet.py')
    code = textwrap.dedent(f'''
        import sys
        import torch
        from mmengine.config import Config
        from mmengine.runner import load_checkpoint
        from mmpretrain.registry import MODELS
        from mmpretrain.utils import register_all_modules
        register_all_modules()
        cfg = Config.fromfile({student_cfg!r}, import_custom_modules=False)
        model = MODELS.build(cfg.model)
        load_checkpoint(model, {str(exported)!r}, strict=True)
        assert 'gdkd_seg' not in sys.modules
        ref = torch.load({str(tmp_path / 'ref.pth')!r})
        with torch.no_grad():
            logits = model.eval()(ref['x'], mode='tensor')
        torch.testing.assert_close(logits, ref['logits'])
        print('PLAIN_OK')
    ''')
    proc = subprocess.run([sys.executable, '-c', code], cwd=str(tmp_path),
                          env=dict(os.environ, **ENV), capture_output=True,
                          text=True, timeout=300)
    assert 'PLAIN_OK' in proc.stdout, proc.stderr[-3000:]


@pytest.mark.parametrize('name', [
    'cifar100/gdkd3/gdkd3_resnet32x4_to_shufflenet-v2_1xb64-240e_cifar100.py',
    'cifar100/dkd_ls/dkd_ls_vgg13_to_vgg8_1xb64-240e_cifar100.py',
    'imagenet/gdkd/gdkd_resnet50_to_mobilenet-v1_8xb64-100e_in1k.py',
    'cub/kd/kd_resnet34_to_resnet18_1xb64-100e_cub.py',
    'tiny-imagenet/dkd/dkd_resnet34_to_resnet18_1xb64-100e_tinyimagenet.py',
])
def test_distill_configs_build(name):
    """One config per dataset / method family builds and runs (the
    teacher's weights are not loaded: no zoo download in CI)."""
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, CLS, name))
    assert 'gdkd_seg' in cfg.custom_imports.imports
    cfg.model.teacher_ckpt = None
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'ClsDistiller'
    size = 32 if 'cifar' in name else 64
    logits = model(torch.zeros(1, 3, size, size), mode='tensor')
    assert logits.shape[1] == model.student.head.num_classes
