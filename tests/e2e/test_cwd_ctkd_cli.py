"""CWD and CTKD through the real CLI: the shipped segmentation configs,
shrunk by test configs that inherit them (tests/configs/tiny_*.py), on a
tiny Cityscapes-layout dataset; a CIFAR-100 CTKD config on a tiny CIFAR-100
in the official pickle layout."""
import json
import math
import os.path as osp
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from gdkd_seg.models.losses import ctkd_lambda
from tests.conftest import REPO, run_tool
from tests.e2e.test_cls_cli import top1

THETA = 'distill_losses.0.temperature.theta'
# each run takes ~30 s on a quiet 2-core machine; a loaded one is slower
TIMEOUT = 1800


def scalars(work_dir: Path):
    files = sorted(work_dir.glob('*/vis_data/scalars.json'))
    assert files, f'no scalars.json under {work_dir}'
    return [json.loads(line) for line in files[-1].read_text().splitlines()]


def train_rows(work_dir: Path, key: str):
    return [r for r in scalars(work_dir) if key in r]


def temperature(theta: float) -> float:
    return 1 + 20 / (1 + math.exp(-theta))


@pytest.fixture(scope='module')
def seg(tiny_cityscapes, tiny_teacher_ckpt):
    """``train(name, work, iters, *opts)``: tools/train.py on
    tests/configs/tiny_<name>.py for ``iters`` iterations."""
    env = {'GDKD_TINY_DATA': tiny_cityscapes, 'OMP_NUM_THREADS': '1'}

    def train(name, work, iters, *opts):
        return run_tool(
            'tools/train.py', f'tests/configs/tiny_{name}.py', '--work-dir',
            str(work), '--cfg-options',
            f'model.teacher_ckpt={tiny_teacher_ckpt}',
            f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            'default_hooks.checkpoint.interval=2', 'randomness.seed=0',
            *opts, env=env, timeout=TIMEOUT)

    return dict(train=train, env=env, teacher=tiny_teacher_ckpt)


@pytest.mark.parametrize('name,logged,absent', [
    ('cwd', ['loss_cwd'], ['aux.loss_cwd', 'loss_gdkd']),
    ('cwd_gdkd',
     ['loss_cwd', 'loss_gdkd', 'gdkd_high', 'gdkd_low_top', 'gdkd_low_other'],
     ['aux.loss_cwd', 'aux.loss_gdkd']),
])
def test_cwd_configs_train(seg, tmp_path, name, logged, absent):
    """Each shipped CWD config trains (its loss on the decode head only,
    as mmrazor and CIRKD) and writes student-only checkpoints."""
    seg['train'](name, tmp_path, 2)
    rows = train_rows(tmp_path, 'loss_cwd')
    assert len(rows) == 2
    for key in logged + ['decode.loss_ce']:
        assert all(np.isfinite(r[key]) and r[key] > 0 for r in rows), key
    for key in absent:
        assert not any(key in r for r in rows), key
    state = load_mmengine_checkpoint(str(tmp_path / 'iter_2.pth'))
    assert all(k.startswith('student.') for k in state['state_dict'])
    if name == 'cwd':  # tools/test.py evaluates the student
        out = run_tool('tools/test.py', f'tests/configs/tiny_{name}.py',
                       str(tmp_path / 'iter_2.pth'), '--work-dir',
                       str(tmp_path / 'test'), env=seg['env'],
                       timeout=TIMEOUT)
        assert 'mIoU' in out.stdout + out.stderr


def test_ctkd_temperature_is_logged_trained_saved_and_resumed(seg, tmp_path):
    """GDKD + CTKD (by iteration): T and lambda logged every iteration
    (main and aux head), theta saved in the checkpoints, a run resumed
    from the iteration-2 checkpoint continues from the saved theta (and
    its optimizer state) to the theta of the uninterrupted run."""
    full, resumed = tmp_path / 'full', tmp_path / 'resumed'
    seg['train']('ctkd_gdkd', full, 4)
    rows = train_rows(full, 'loss_gdkd')
    assert len(rows) == 4
    for i, row in enumerate(rows, start=1):
        assert row['gdkd_grl_lambda'] == pytest.approx(ctkd_lambda(i, 3333),
                                                       rel=1e-6)
        assert row['aux.gdkd_temperature'] == row['gdkd_temperature']
    assert rows[0]['gdkd_temperature'] == pytest.approx(temperature(1.0),
                                                        rel=1e-6)
    thetas = {i: load_mmengine_checkpoint(
                  str(full / f'iter_{i}.pth'))['state_dict'][THETA].item()
              for i in (2, 4)}
    # the student's SGD (weight decay included) moved theta, and the
    # logged T of iteration 3 is the one of the saved theta
    assert abs(thetas[2] - 1.0) > 1e-6 and abs(thetas[4] - thetas[2]) > 1e-7
    assert rows[2]['gdkd_temperature'] == pytest.approx(
        temperature(thetas[2]), rel=1e-6)

    resumed.mkdir()
    shutil.copy(full / 'iter_2.pth', resumed / 'iter_2.pth')
    out = seg['train']('ctkd_gdkd', resumed, 4, '--resume',
                       str(resumed / 'iter_2.pth'))
    assert 'resumed epoch: 0, iter: 2' in out.stdout + out.stderr
    theta = load_mmengine_checkpoint(
        str(resumed / 'iter_4.pth'))['state_dict'][THETA].item()
    assert theta == pytest.approx(thetas[4], abs=1e-8)
    assert train_rows(resumed, 'loss_gdkd')[0]['gdkd_temperature'] == \
        pytest.approx(temperature(thetas[2]), rel=1e-6)


def test_cifar100_ctkd_config(tiny_cifar, tmp_path):
    """The shipped KD + CTKD config (ResNet56 -> ResNet20, by epoch) for
    2 epochs: lambda follows the cosine schedule of the 1-indexed epoch,
    T is logged every iteration, theta is trained and saved, and
    tools/test.py evaluates the student."""
    from mmpretrain.registry import MODELS
    base = osp.join('configs', 'cls', 'cifar100')
    teacher = MODELS.build(Config.fromfile(osp.join(
        REPO, base, 'baselines', 'resnet56_1xb64-240e_cifar100.py')).model)
    t_ckpt = tmp_path / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, t_ckpt)
    cfg = osp.join(base, 'ctkd', 'ctkd_resnet56_to_resnet20_1xb64-240e_'
                   'cifar100.py')
    opts = tiny_cifar.opts
    work = tmp_path / 'student'
    tiny_cifar.cli('tools/train.py', cfg, '--work-dir', str(work),
                   '--cfg-options', 'train_cfg.max_epochs=2',
                   f'model.teacher_ckpt={t_ckpt}', *opts, timeout=TIMEOUT)
    rows = train_rows(work, 'loss_kd')
    assert len(rows) == 6  # 2 epochs x 48 / 16
    for row in rows:
        epoch = (row['step'] - 1) // 3 + 1
        assert row['kd_grl_lambda'] == pytest.approx(ctkd_lambda(epoch, 10),
                                                     rel=1e-6)
        assert 1 < row['kd_temperature'] < 21
    assert rows[0]['kd_temperature'] == pytest.approx(temperature(1.0),
                                                      rel=1e-6)
    theta = load_mmengine_checkpoint(
        str(work / 'epoch_2.pth'))['state_dict'][THETA].item()
    assert abs(theta - 1.0) > 1e-6
    acc = top1(tiny_cifar.cli('tools/test.py', cfg,
                              str(work / 'epoch_2.pth'), '--work-dir',
                              str(tmp_path / 'test'), '--cfg-options', *opts,
                              timeout=TIMEOUT).stdout)
    assert 0 <= acc <= 100
    shutil.rmtree(work)


@pytest.mark.parametrize('name', [
    'cwd/deeplabv3_r101_to_mbv2_cityscapes.py',
    'cwd/pspnet_r101_to_r18_cityscapes.py',
    'cls/cifar100/ctkd_ls/ctkd_ls_resnet32x4_to_shufflenet-v2_1xb64-240e_'
    'cifar100.py',
    'cls/cifar100/ctkd/ctkd_wrn-40-2_to_wrn-16-2_1xb64-240e_cifar100.py',
])
def test_other_configs_build(name):
    """Configs not trained above parse and build (teacher weights not
    loaded: no download); the CTKD ones hold theta in the model."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    cfg.model.teacher_ckpt = None
    if name.startswith('cls'):
        from mmpretrain.registry import MODELS
    else:
        from mmseg.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmpretrain' if name.startswith('cls') else 'mmseg')
    model = MODELS.build(cfg.model)
    names = [n for n, _ in model.named_parameters()]
    assert (THETA in names) == ('ctkd' in name)
    if 'ctkd_ls' in name:
        assert model.distill_losses[0].loss.hparams['logit_stand']
        assert model.distill_losses[0].loss.loss_weight == 9.0
