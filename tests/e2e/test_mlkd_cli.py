"""MLKD through the real CLIs on a tiny generated CIFAR-100: a teacher
trained by its baseline config, MLKD and MLKD+LS students trained on two
views per image, evaluated by ``tools/test.py`` and exported; the
settings of every shipped MLKD config, and one config per kind built and
stepped through its own train pipeline."""
import os.path as osp
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper

import gdkd_seg.cls  # noqa: F401  (registrations)
from gdkd_seg.checkpoint.safe_load import (load_mmengine_checkpoint,
                                           mmengine_checkpoint_loading)
from tests.conftest import REPO, run_tool
from tests.e2e.conftest import ENV
from tests.e2e.test_cls_cli import top1

CLS = osp.join('configs', 'cls')
MLKD_CONFIGS = sorted(
    str(p.relative_to(REPO)) for pattern in (
        'configs/cls/cifar100/mlkd*/*.py', 'configs/cls/imagenet/mlkd*/*.py')
    for p in Path(REPO).glob(pattern))


def test_mlkd_cifar100_teacher_distill_test_export(tiny_cifar, tmp_path):
    """WRN-40-2 -> WRN-16-2, MLKD and MLKD+LS, with the shipped configs."""
    tmp, cli, opts = tmp_path, tiny_cifar.cli, tiny_cifar.opts
    base = osp.join(CLS, 'cifar100', 'baselines')
    t_ckpt = tiny_cifar.teacher('wrn-40-2')
    cfg = osp.join(CLS, 'cifar100', 'mlkd',
                   'mlkd_wrn-40-2_to_wrn-16-2_1xb64-240e_cifar100.py')
    s_dir = tmp / 'student'
    out = cli('tools/train.py', cfg, '--work-dir', str(s_dir),
              '--cfg-options', 'train_cfg.max_epochs=2',
              f'model.teacher_ckpt={t_ckpt}', *opts)
    log = out.stdout + out.stderr
    # loss_strong: the strong view's CE, only there with two views
    for key in ('loss_strong', 'loss_mlkd_kd', 'loss_mlkd_cc',
                'loss_mlkd_bc'):
        assert f'{key}: ' in log, key
    ckpt = s_dir / 'epoch_2.pth'
    state = load_mmengine_checkpoint(str(ckpt))['state_dict']
    assert state and all(k.startswith('student.') for k in state)
    acc = top1(cli('tools/test.py', cfg, str(ckpt), '--work-dir',
                   str(tmp / 'test'), '--cfg-options', *opts).stdout)
    assert 0 <= acc <= 100
    # the export loads strictly into the student's baseline classifier
    # and gives the distilled student's logits
    exported = tmp / 'wrn-16-2_student.pth'
    run_tool('tools/extract_student.py', str(ckpt), str(exported), env=ENV)
    from mmengine.registry import DefaultScope
    from mmengine.runner import load_checkpoint
    from mmpretrain.registry import MODELS
    distilled = Config.fromfile(osp.join(REPO, cfg)).model
    distilled.teacher_ckpt = None
    # the scope a previous test left may be mmseg's
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        plain = MODELS.build(Config.fromfile(osp.join(
            REPO, base, 'wrn-16-2_1xb64-240e_cifar100.py')).model)
        distilled = MODELS.build(distilled)
    load_checkpoint(plain, str(exported), strict=True)
    with mmengine_checkpoint_loading():  # a run's checkpoint
        load_checkpoint(distilled, str(ckpt), strict=True)
    x = torch.randn(4, 3, 32, 32)
    plain.eval(), distilled.eval()
    with torch.no_grad():
        torch.testing.assert_close(plain(x, mode='tensor'),
                                   distilled(x, mode='tensor'))
    # the LS twin trains too
    ls_cfg = osp.join(CLS, 'cifar100', 'mlkd_ls',
                      'mlkd_ls_wrn-40-2_to_wrn-16-2_1xb64-480e_cifar100.py')
    out = cli('tools/train.py', ls_cfg, '--work-dir', str(tmp / 'ls'),
              '--cfg-options', 'train_cfg.max_epochs=1',
              f'model.teacher_ckpt={t_ckpt}', *opts)
    assert 'loss_mlkd_kd: ' in out.stdout + out.stderr
    assert (tmp / 'ls' / 'epoch_1.pth').is_file()


def test_every_mlkd_config_is_found():
    names = {osp.basename(c) for c in MLKD_CONFIGS}
    for pair in ('resnet32x4_to_resnet8x4', 'vgg13_to_vgg8',
                 'wrn-40-2_to_wrn-16-2', 'resnet32x4_to_shufflenet-v2'):
        assert any(n.startswith(f'mlkd_{pair}') for n in names), pair
        assert any(n.startswith(f'mlkd_ls_{pair}') for n in names), pair
    assert 'mlkd_resnet34_to_resnet18_8xb64-100e_in1k.py' in names


@pytest.mark.parametrize('name', MLKD_CONFIGS)
def test_mlkd_config_settings(name):
    """Cheap checks of every MLKD config (building them all would cost
    CI minutes): two views, the loss, and the epochs in the file name."""
    cfg = Config.fromfile(osp.join(REPO, name))
    assert cfg.model.type == 'ClsDistiller'
    loss = cfg.model.distill_losses
    assert loss.type == 'MLKDLoss'
    assert cfg.data_preprocessor.type == 'MultiViewClsDataPreprocessor'
    views = cfg.train_dataloader.dataset.pipeline[-2]
    assert views.type == 'MultiView' and views.num_views == [1, 1]
    weak, strong = views.transforms
    assert strong[:-1] == weak and strong[-1].type == 'MLKDRandAugment'
    epochs = int(name.split('-')[-1].split('e_')[0])
    assert cfg.train_cfg.max_epochs == epochs
    if 'imagenet' in name:
        assert cfg.model.ce_weight == 0.5 and strong[-1].channel_order == \
            'bgr'
        assert (loss.temperature, loss.kd_weight) == (1.0, 0.5)
        return
    assert cfg.model.ce_weight == 0.1
    if '/mlkd_ls/' in name:
        assert loss.logit_stand and loss.temperature == 2.0
        assert loss.kd_weight in (6.0, 9.0)
    else:
        assert not loss.get('logit_stand', False)
        assert (loss.temperature, loss.kd_weight) == (4.0, 0.9)
    assert loss.get('variant', 'published') == (
        'intent' if 'intent' in name else 'published')


@pytest.mark.parametrize('name', [
    'configs/cls/cifar100/mlkd/mlkd_vgg13_to_vgg8_1xb64-240e_cifar100.py',
    'configs/cls/cifar100/mlkd/'
    'mlkd_intent_resnet32x4_to_resnet8x4_1xb64-240e_cifar100.py',
    'configs/cls/cifar100/mlkd_ls/'
    'mlkd_ls_resnet32x4_to_shufflenet-v2_1xb64-960e_cifar100.py',
    'configs/cls/imagenet/mlkd/mlkd_resnet34_to_resnet18_8xb64-100e_in1k.py',
])
def test_mlkd_config_steps_through_its_pipeline(name, tmp_path):
    """The config builds (teacher weights not loaded: no download), its
    train pipeline gives two views, and one train step runs on them."""
    from mmengine.dataset import Compose
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, name))
    assert 'gdkd_seg' in cfg.custom_imports.imports
    cfg.model.teacher_ckpt = None
    cfg.model.setdefault('data_preprocessor', cfg.data_preprocessor)
    # the scope a previous test left may be mmseg's
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
    assert model.two_views
    loss = model.distill_losses[0]
    assert type(loss).__name__ == 'MLKDLoss'
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        pipeline = Compose(cfg.train_dataloader.dataset.pipeline)
    rng = np.random.default_rng(0)
    samples = []
    for label in (1, 2):
        img = rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)
        if 'imagenet' in name:
            path = str(tmp_path / f'{label}.png')
            cv2.imwrite(path, img)
            data = dict(img_path=path, gt_label=label)
        else:
            data = dict(img=img[:32, :32].copy(), gt_label=label)
        samples.append(pipeline(data))
    batch = pseudo_collate(samples)
    assert len(batch['inputs']) == 2  # weak and strong
    model.init_weights()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    log = model.train_step(batch, optim)
    assert {'loss', 'loss_strong', 'loss_mlkd_kd', 'loss_mlkd_cc',
            'loss_mlkd_bc'} <= set(log)
    assert all(torch.isfinite(v).all() for v in log.values())
