"""Every shipped config (segmentation, classification, demo) and every
test config inherits configs/_base_/default_runtime.py, the shared base
that turns on what a run needs (runner, hooks, registrations)."""
import os.path as osp

import pytest
from mmengine.config import Config

from tests.conftest import REPO

BASE = str(REPO / 'configs' / '_base_' / 'default_runtime.py')
ROOTS = ('configs', 'tests/configs')
# bases of others, not runnable configs themselves
PARTS = ('configs/_base_/', 'configs/cls/_base_/', 'configs/demo/_base_/',
         'configs/mim/_base_/', 'configs/cirkd_protocol/_base_/',
         'tests/configs/tiny_seg.py',
         'tests/configs/mim/tiny_mim.py',
         # read for its `model` only, as a distiller's teacher
         'tests/configs/tiny_ocrnet_teacher.py',
         'tests/configs/tiny_cirkd_teacher.py')


def configs():
    found = []
    for root in ROOTS:
        for path in sorted((REPO / root).rglob('*.py')):
            rel = str(path.relative_to(REPO))
            if not rel.startswith(PARTS):
                found.append(rel)
    return found


def local_bases(path: str):
    """All files a config inherits from in this repository (``mmseg::``
    and ``mmpretrain::`` bases are not followed)."""
    seen, queue = set(), [path]
    while queue:
        name = queue.pop()
        for base in Config._get_base_files(name):
            if '::' in base:
                continue
            full = osp.normpath(osp.join(osp.dirname(name), base))
            if full not in seen:
                seen.add(full)
                queue.append(full)
    return seen


def test_every_config_inherits_the_shared_base():
    names = configs()
    assert len(names) > 150  # seg + cls + demo + tests
    missing = [n for n in names if BASE not in local_bases(str(REPO / n))]
    assert not missing


@pytest.mark.parametrize('name', [
    'configs/gdkd/deeplabv3_r101_to_r18_ls_cityscapes.py',
    'configs/baselines/deeplabv3_mbv2_cityscapes.py',
    'configs/demo/gdkd_plainnet32_to_plainnet16_ls_digits.py',
    'configs/cls/cifar100/gdkd/gdkd_resnet56_to_resnet20_1xb64-240e_cifar100.py',  # noqa
    'configs/cls/imagenet/kd/kd_resnet34_to_resnet18_8xb64-100e_in1k.py',
    'configs/cls/imagenet/mlkd/mlkd_resnet34_to_resnet18_8xb64-100e_in1k.py',  # noqa
    'configs/cwd/pspnet_r101_to_r18_cityscapes.py',
    'configs/mim/dmae/dmae_vit-large-to-base-p16_8xb512-amp-coslr-100e_in1k.py',  # noqa
    'configs/mim/amd/benchmarks/amd-vit-small_upernet_8xb2-amp-160k_ade20k-512x512.py',  # noqa
])
def test_resolved_configs_turn_the_base_on(name):
    cfg = Config.fromfile(str(REPO / name), import_custom_modules=False)
    assert cfg.runner_type == 'GDKDRunner'
    assert [h['type'] for h in cfg.custom_hooks] == [
        'SafeLoadHook', 'SafeSaveHook', 'RNGStateHook', 'DataCheckHook',
        'GlooDrainHook']
    imports = cfg.custom_imports.imports
    extra = {'cls': ['gdkd_seg.cls'], 'demo': ['gdkd_seg.demo'],
             'mim': ['gdkd_seg.cls']}  # segmentation needs no MMPretrain
    if 'upernet' in name:
        extra = {}
    assert imports == ['gdkd_seg'] + extra.get(name.split('/')[1], [])
