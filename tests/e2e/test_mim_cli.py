"""Masked-image distillation through tools/train.py: each shipped DMAE /
AMD config (shrunk by tests/configs/mim) pre-trains on a tiny
ImageNet-layout folder; a killed-early run resumes to the same weights;
the teacher stays frozen and out of the checkpoints; the student's
encoder, exported, loads strictly into the shipped UperNet (MMSeg) and
fine-tuning (MMPretrain) configs and computes what it computed before.

The runs are in-process (tools/train.py's ``__main__``, one process
start-up for all) and shared by the module."""
import os
import runpy
import shutil
import sys
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.config import config as config_module
from mmengine.logging import MessageHub, MMLogger
from mmengine.registry import RUNNERS, DefaultScope

import gdkd_seg.cls  # noqa: F401  (registrations)
from gdkd_seg.apis import export_vit_backbone
from gdkd_seg.checkpoint.safe_load import (load_mmengine_checkpoint,
                                           mmengine_checkpoint_loading)
from gdkd_seg.engine.rng import preserved_rng
from tests.conftest import REPO

TINY = REPO / 'tests' / 'configs' / 'mim'
# each shipped pre-training config, its tiny delta and its teacher
RUNS = {
    'dmae': ('configs/mim/dmae/'
             'dmae_vit-large-to-base-p16_8xb512-amp-coslr-100e_in1k.py',
             'tiny_dmae.py', 'tiny_mae_vit-l.py'),
    'amd_l2b': ('configs/mim/amd/'
                'amd_vit-large-to-base-p16_8xb512-amp-coslr-800e_in1k.py',
                'tiny_amd_vit-large-to-base.py', 'tiny_mae_vit-l.py'),
    'amd_b2s': ('configs/mim/amd/'
                'amd_vit-base-to-small-p16_8xb512-amp-coslr-800e_in1k.py',
                'tiny_amd_vit-base-to-small.py', 'tiny_mae_vit-b.py'),
}
# the settings a tiny config must not change (it shrinks widths only)
KEPT = ('type', 'student_layers', 'teacher_layers', 'teacher_mask_ratio',
        'feat_weight', 'direct_weight', 'gen_weight', 'generator')


def write_tiny_imagenet(root: Path, n: int = 8, seed: int = 0) -> None:
    """``train/<wnid>/*.png`` and ``meta/train.txt`` as MMPretrain's
    ImageNet reads them: 40x40 images of coloured rectangles."""
    import cv2
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n):
        wnid = f'n0000000{i % 2}'
        os.makedirs(root / 'train' / wnid, exist_ok=True)
        img = np.full((40, 40, 3), rng.integers(0, 256, 3), np.uint8)
        for _ in range(3):
            y, x = rng.integers(0, 30, 2)
            img[y:y + 10, x:x + 10] = rng.integers(0, 256, 3)
        cv2.imwrite(str(root / 'train' / wnid / f'{i}.png'), img)
        lines.append(f'{wnid}/{i}.png {i % 2}')
    os.makedirs(root / 'meta', exist_ok=True)
    (root / 'meta' / 'train.txt').write_text('\n'.join(lines) + '\n')


def save_teacher(config: str, path: Path, seed: int) -> None:
    """A tiny MAE teacher with seeded random weights, saved as MMEngine
    saves a model (``{'state_dict', 'meta'}``)."""
    from mmpretrain.registry import MODELS
    with preserved_rng():
        torch.manual_seed(seed)
        model = MODELS.build(Config.fromfile(str(TINY / config)).model)
        model.init_weights()
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)


@contextmanager
def in_process_run():
    """Run a tool's ``__main__`` here, leaving MMEngine's current scope,
    message hub and logger, torch's RNG and thread count as they were;
    yields a list that receives the runner tools/train.py builds."""
    managers = (DefaultScope, MessageHub, MMLogger)
    saved = {m: OrderedDict(m._instance_dict) for m in managers}
    threads = torch.get_num_threads()
    built = []
    real_build = RUNNERS.build

    def build(cfg, *args, **kwargs):
        built.append(real_build(cfg, *args, **kwargs))
        return built[-1]

    RUNNERS.build = build
    # yapf's layout of the config text MMEngine logs and saves six times
    # per run is ~60% of a tiny run here; the text stays valid Python
    real_format = config_module.FormatCode
    config_module.FormatCode = lambda text, **kwargs: (text, None)
    torch.set_num_threads(1)  # same work split in every run: bitwise
    argv = sys.argv
    try:
        with preserved_rng():
            yield built
    finally:
        sys.argv = argv
        RUNNERS.build = real_build
        config_module.FormatCode = real_format
        torch.set_num_threads(threads)
        for manager, instances in saved.items():
            for name, obj in manager._instance_dict.items():
                if name not in instances and manager is MMLogger:
                    for handler in obj.handlers:
                        handler.close()
            manager._instance_dict.clear()
            manager._instance_dict.update(instances)


def train(config: Path, work_dir: Path, epochs: int, *opts: str):
    """``python tools/train.py config --work-dir ... --cfg-options ...``
    in this process; returns the runner."""
    with in_process_run() as built:
        sys.argv = ['tools/train.py', str(config), '--work-dir',
                    str(work_dir), '--cfg-options',
                    f'train_cfg.max_epochs={epochs}', *opts]
        runpy.run_path(str(REPO / 'tools' / 'train.py'),
                       run_name='__main__')
    return built[-1]


@pytest.fixture(scope='module')
def mim_runs(tmp_path_factory):
    """Each shipped config trained 2 epochs (4 iterations); the AMD
    ViT-L -> ViT-B one also resumed from its epoch-1 checkpoint."""
    root = tmp_path_factory.mktemp('mim')
    data = root / 'imagenet'
    write_tiny_imagenet(data)
    teachers = {}
    for seed, name in enumerate(('tiny_mae_vit-l.py', 'tiny_mae_vit-b.py')):
        teachers[name] = root / f'{name}.pth'
        save_teacher(name, teachers[name], seed)
    runs = {}
    for key, (_, tiny, teacher) in RUNS.items():
        opts = (f'train_dataloader.dataset.data_root={data}',
                f'model.teacher_ckpt={teachers[teacher]}')
        runner = train(TINY / tiny, root / key, 2, *opts)
        runs[key] = dict(runner=runner, dir=root / key,
                         teacher_ckpt=teachers[teacher], opts=opts)
    # a run stopped after epoch 1: the first epoch's checkpoint, as it
    # would have written it; MMPretrain's MAE configs resume by default
    cut = root / 'amd_l2b_cut'
    os.makedirs(cut)
    shutil.copy(root / 'amd_l2b' / 'epoch_1.pth', cut / 'epoch_1.pth')
    (cut / 'last_checkpoint').write_text(str(cut / 'epoch_1.pth'))
    train(TINY / RUNS['amd_l2b'][1], cut, 2, *runs['amd_l2b']['opts'])
    runs['resumed_dir'] = cut
    return runs


def load(path):
    return load_mmengine_checkpoint(str(path), logger='silent')


@pytest.mark.parametrize('key', list(RUNS))
def test_tiny_config_keeps_the_shipped_settings(key):
    shipped, tiny, _ = RUNS[key]
    ours = Config.fromfile(str(TINY / tiny), import_custom_modules=False)
    theirs = Config.fromfile(str(REPO / shipped),
                             import_custom_modules=False)
    for name in KEPT:
        assert ours.model.get(name) == theirs.model.get(name), name
    for part, name in (('backbone', 'mask_ratio'), ('head', 'norm_pix'),
                       ('backbone', 'type')):
        assert ours.model[part].get(name) == theirs.model[part].get(name)
    assert ours.param_scheduler == theirs.param_scheduler
    assert ours.optim_wrapper == theirs.optim_wrapper


@pytest.mark.parametrize('key', list(RUNS))
def test_each_config_trains_and_logs_its_losses(mim_runs, key):
    run = mim_runs[key]
    log = next(run['dir'].rglob('*.log')).read_text()
    wanted = (['loss_pixel', 'loss_feat_l1', 'feat_l1_s8_t17']
              if key == 'dmae' else
              ['loss_pixel', 'loss_feat_direct', 'loss_feat_gen',
               'feat_direct_s5_t', 'feat_gen_s11_t'])
    for name in wanted:
        assert name in log, name
    assert 'Epoch(train) [2][2/2]' in log
    # the student moved away from its initialisation
    first = load(run['dir'] / 'epoch_1.pth')['state_dict']
    last = load(run['dir'] / 'epoch_2.pth')['state_dict']
    assert any(not torch.equal(first[k], last[k]) for k in last)


@pytest.mark.parametrize('key', list(RUNS))
def test_teacher_frozen_and_never_saved(mim_runs, key):
    run = mim_runs[key]
    model = run['runner'].model
    teacher = model._teacher
    saved = torch.load(run['teacher_ckpt'])['state_dict']
    now = teacher.state_dict()
    assert now.keys() == saved.keys()
    for name, value in saved.items():  # bitwise, buffers included
        assert torch.equal(now[name], value), name
    assert not teacher.training  # eval mode after every train()
    assert not any(p.requires_grad for p in teacher.parameters())
    # the checkpoint holds the student's own modules only
    state = load(run['dir'] / 'epoch_2.pth')['state_dict']
    assert set(state) == set(model.state_dict())
    assert not any(k.startswith('teacher') or '_teacher' in k
                   for k in state)
    assert len(state) < len(saved) + len(model.state_dict())
    ids = {id(p) for p in teacher.parameters()}
    optimizer = run['runner'].optim_wrapper.optimizer
    assert not any(id(p) in ids for group in optimizer.param_groups
                   for p in group['params'])


def test_resume_is_exact(mim_runs):
    """From the epoch-1 checkpoint alone (``resume=True``: MMPretrain's MAE
    configs resume automatically) to epoch 2: the same weights, optimizer
    state and random state as the 2 epochs in one go."""
    full = load(mim_runs['amd_l2b']['dir'] / 'epoch_2.pth')
    cut = load(mim_runs['resumed_dir'] / 'epoch_2.pth')
    log = next(mim_runs['resumed_dir'].rglob('*.log')).read_text()
    assert 'resumed epoch: 1, iter: 2' in log
    assert full['meta']['iter'] == cut['meta']['iter'] == 4
    assert full['state_dict'].keys() == cut['state_dict'].keys()
    for key, value in full['state_dict'].items():
        assert torch.equal(value, cut['state_dict'][key]), key
    for idx, state in full['optimizer']['state'].items():
        for name, value in state.items():
            assert torch.equal(value, cut['optimizer']['state'][idx][name])
    assert full['rng_state']['torch'].equal(cut['rng_state']['torch'])


def exported(mim_runs, tmp_path, config):
    out = tmp_path / 'backbone.pth'
    found = export_vit_backbone(
        str(mim_runs['dmae']['dir'] / 'epoch_2.pth'), str(out),
        None if config is None else str(config))
    return out, found


def test_export_loads_strictly_into_mmseg_upernet(mim_runs, tmp_path):
    """The shipped UperNet config (shrunk, 64x64 crops: an 8x8 patch grid
    where pre-training had 4x4) loads the export strictly, through
    MMSeg's own ``pretrained`` path too, and its backbone computes what
    MMPretrain's ViT computes with the pre-trained encoder."""
    from mmpretrain.models import VisionTransformer
    from mmseg.registry import MODELS
    cfg_path = TINY / 'tiny_dmae_upernet.py'
    out, found = exported(mim_runs, tmp_path, cfg_path)
    assert found['dropped'] == ['ln1.weight', 'ln1.bias']
    assert {k.rsplit('.', 1)[-1] for k in found['new']} == {
        'gamma_1', 'gamma_2', 'relative_position_bias_table',
        'relative_position_index'}
    state = torch.load(out)['state_dict']
    cfg = Config.fromfile(str(cfg_path))
    with DefaultScope.overwrite_default_scope('mmseg'):
        backbone = MODELS.build(cfg.model.backbone)
        backbone.load_state_dict(state, strict=True)
        # MMSeg's path: model.pretrained -> the backbone's init_weights
        seg = MODELS.build(dict(cfg.model.copy(), pretrained=str(out)))
        seg.init_weights()
    for key, value in state.items():
        assert torch.equal(seg.backbone.state_dict()[key], value), key
    # the same function as MMPretrain's ViT with the encoder's weights
    # (MMPretrain resizes the position embedding itself when loading)
    encoder = {k[9:]: v for k, v in
               load(mim_runs['dmae']['dir'] / 'epoch_2.pth')
               ['state_dict'].items() if k.startswith('backbone.')}
    vit = VisionTransformer(
        arch=dict(embed_dims=16, num_layers=12, num_heads=2,
                  feedforward_channels=32),
        img_size=64, patch_size=8, out_indices=(3, 11), final_norm=False,
        out_type='featmap')
    vit.load_state_dict({k: v for k, v in encoder.items()
                         if not k.startswith('ln1')}, strict=True)
    backbone.eval(), vit.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        ours = backbone(x)
        theirs = vit(x)
    ours = [ours[cfg.model.backbone.out_indices.index(i)] for i in (3, 11)]
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_export_loads_strictly_into_mmpretrain_classifier(
        mim_runs, tmp_path):
    """The shipped fine-tuning config (shrunk) loads the export strictly;
    MMPretrain's own way (the whole pre-training checkpoint with
    ``prefix='backbone.'``) gives it the same weights."""
    from mmengine.runner import load_checkpoint
    from mmpretrain.registry import MODELS
    cfg_path = TINY / 'tiny_dmae_finetune.py'
    out, found = exported(mim_runs, tmp_path, cfg_path)
    assert found == dict(new=['ln2.weight', 'ln2.bias'],
                         dropped=['ln1.weight', 'ln1.bias'])
    cfg = Config.fromfile(str(cfg_path))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        classifier = MODELS.build(cfg.model)
    load_checkpoint(classifier.backbone, str(out), strict=True,
                    logger='silent')
    exported_state = classifier.backbone.state_dict()
    cfg.model.backbone.init_cfg.checkpoint = str(
        mim_runs['dmae']['dir'] / 'epoch_2.pth')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        theirs = MODELS.build(cfg.model)  # init_cfg: the run's checkpoint
    with mmengine_checkpoint_loading():  # as SafeLoadHook does in a run
        theirs.init_weights()
    for key, value in theirs.backbone.state_dict().items():
        if not key.startswith('ln2'):
            assert torch.equal(exported_state[key], value), key
