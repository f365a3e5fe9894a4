"""Distributed training with ``tools/dist_train.sh`` (torchrun) on one CPU
machine: gloo backend, the frozen teacher does not trouble DDP, and a
2-process run matches a 1-process run of the same global batch."""
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
from mmengine.config import Config

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from gdkd_seg.compat.dist_env import _replace_sync_bn, setup_cpu_distributed
from gdkd_seg.engine.batch_check import check_batch_size, tuned_batch_size
from gdkd_seg.models.distillers.base import load_model_cfg
from tests.conftest import REPO, run_tool
from tests.e2e.test_bad_inputs import relabel

TINY_GDKD = str(REPO / 'tests' / 'configs' / 'tiny_gdkd.py')
TINY = str(REPO / 'tests' / 'configs' / 'tiny_teacher.py')
ITERS = 4


def test_tuned_batch_from_names_and_auto_scale_lr(tmp_path):
    # tiny_gdkd -> configs/gdkd/...py -> mmseg::..._4xb2-80k_...: 4 x 2
    cfg = Config.fromfile(TINY_GDKD)
    assert tuned_batch_size(cfg) == 8
    cfg.train_dataloader.batch_size = 2
    assert '2 GPU(s) x 2 = 4 differs from the 8' in check_batch_size(cfg, 2)
    assert check_batch_size(cfg, 4) is None
    cfg.auto_scale_lr = dict(enable=True, base_batch_size=16)
    assert tuned_batch_size(cfg) == 16
    assert 'LR is scaled' in check_batch_size(cfg, 4)
    plain = tmp_path / 'plain.py'
    plain.write_text('train_dataloader = dict(batch_size=2)\n')
    assert check_batch_size(Config.fromfile(plain), 3) is None


def test_sync_bn_becomes_bn_only_for_cpu_distributed():
    cfg = Config(dict(launcher='none', model=dict(
        backbone=dict(norm_cfg=dict(type='SyncBN', requires_grad=True)),
        heads=[dict(norm_cfg=dict(type='SyncBN')),
               dict(norm_cfg=dict(type='GN', num_groups=2))])))
    assert setup_cpu_distributed(cfg) is None  # not distributed: untouched
    assert cfg.model.backbone.norm_cfg.type == 'SyncBN'
    assert _replace_sync_bn(cfg.model) == 2
    assert cfg.model.backbone.norm_cfg == dict(type='BN', requires_grad=True)
    assert [h['norm_cfg']['type'] for h in cfg.model.heads] == ['BN', 'GN']


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def comparable_config(tmp_path):
    """tiny_gdkd with nothing that depends on how the global batch is
    split: GroupNorm student, no dropout, no random flip; a SyncBN
    teacher (frozen, eval mode) to show it does not need a GPU."""
    gn = dict(type='GN', num_groups=4, requires_grad=True)
    teacher = load_model_cfg(TINY).to_dict()
    assert _replace_sync_bn(teacher) == 0
    for part in ('backbone', 'decode_head', 'auxiliary_head'):
        teacher[part]['norm_cfg'] = dict(type='SyncBN', requires_grad=True)
    pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                dict(type='PackSegInputs')]
    text = f"""_base_ = [{TINY_GDKD!r}]
model = dict(
    student=dict(
        backbone=dict(norm_cfg={gn!r}),
        decode_head=dict(norm_cfg={gn!r}, dropout_ratio=0.0),
        auxiliary_head=dict(norm_cfg={gn!r}, dropout_ratio=0.0)),
    teacher=dict(_delete_=True, **{teacher!r}))
train_dataloader = dict(dataset=dict(pipeline={pipeline!r}))
train_cfg = dict(max_iters={ITERS}, val_interval={ITERS})
param_scheduler = [dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0,
                        end={ITERS}, by_epoch=False)]
default_hooks = dict(checkpoint=dict(interval=1))
randomness = dict(seed=0, deterministic=True)
"""
    path = tmp_path / 'tiny_gdkd_comparable.py'
    path.write_text(text)
    return str(path)


def max_diff(a, b):
    assert a.keys() == b.keys()
    return max((v - b[k]).abs().max().item() for k, v in a.items()
               if v.is_floating_point())


def final_metrics(work_dir):
    lines = next(work_dir.glob('*/vis_data/scalars.json')).read_text()
    return [json.loads(line) for line in lines.splitlines()
            if 'mIoU' in line][-1]


def test_two_process_cpu_run_matches_single_process(
        tmp_path, tiny_cityscapes, tiny_teacher_ckpt):
    # no ignored pixels: per-process means then average to the global mean
    data = relabel(tiny_cityscapes, tmp_path / 'data',
                   lambda label: np.where(label == 255, 0, label))
    config = comparable_config(tmp_path)
    env = {'GDKD_TINY_DATA': str(data)}
    common = ['--auto-scale-lr', '--cfg-options',
              f'model.teacher_ckpt={tiny_teacher_ckpt}']
    single, dist = tmp_path / 'single', tmp_path / 'dist'
    run_tool('tools/train.py', config, '--work-dir', str(single), *common,
             'train_dataloader.batch_size=4', env=env)
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', config, '2', '--work-dir',
         str(dist), *common, 'train_dataloader.batch_size=2'],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PORT=str(free_port()),
                 PYTHON=sys.executable, **env))
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-6000:]
    assert 'gloo backend (world size 2)' in log
    assert 'global batch 2 GPU(s) x 2 = 4 differs from the 8' in log
    for work in (single, dist):  # 4 / 8 both times
        text = next(work.glob('*/*.log')).read_text()
        assert 'Scaling the original LR by 0.5' in text

    a = load_mmengine_checkpoint(str(single / f'iter_{ITERS}.pth'))
    b = load_mmengine_checkpoint(str(dist / f'iter_{ITERS}.pth'))
    assert a['meta']['iter'] == b['meta']['iter'] == ITERS
    diff = max_diff(a['state_dict'], b['state_dict'])
    # how far training moved the weights, for scale
    moved = max_diff(a['state_dict'],
                     load_mmengine_checkpoint(str(single / 'iter_1.pth'))[
                         'state_dict'])
    print(f'max |single - 2-process| weight difference {diff:.3g}; '
          f'moved by training from iter 1 to {ITERS}: {moved:.3g}')
    assert diff < 1e-4 * moved
    ma, mb = final_metrics(single), final_metrics(dist)
    print('val metrics single / 2-process:', ma, mb)
    for key in ('aAcc', 'mIoU', 'mAcc'):
        assert ma[key] == pytest.approx(mb[key], abs=0.01), key
