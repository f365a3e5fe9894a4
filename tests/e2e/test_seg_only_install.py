"""A segmentation-only install: MMPretrain is the ``cls`` extra. With
MMPretrain made unimportable (a meta-path blocker in a subprocess),
``import gdkd_seg`` and the segmentation tools work, and a classification
config stops at once with a message naming the extra."""
import runpy
from unittest import mock

import pytest

from gdkd_seg.compat.extras import MissingExtraError, explain_missing_extra
from tests.conftest import REPO, run_tool

# run `python -c BLOCKED <script> <args>`: the script runs as __main__
# with mmpretrain (and every mmpretrain.* module) unimportable
BLOCKED = """
import runpy, sys
class NoMMPretrain:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == 'mmpretrain':
            raise ModuleNotFoundError(f'No module named {name!r}', name=name)
sys.meta_path.insert(0, NoMMPretrain())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
"""
CLS_CFG = 'configs/cls/cifar100/gdkd/' \
    'gdkd_resnet56_to_resnet20_1xb64-240e_cifar100.py'


def blocked(script, *args, **kwargs):
    return run_tool('-c', BLOCKED, script, *args, **kwargs)


def test_setup_declares_mmpretrain_as_the_cls_extra():
    with mock.patch('setuptools.setup') as setup:
        runpy.run_path(str(REPO / 'setup.py'), run_name='__main__')
    kwargs = setup.call_args.kwargs
    assert not any('mmpretrain' in r for r in kwargs['install_requires'])
    assert kwargs['extras_require']['cls'] == ['mmpretrain>=1.2.0,<1.3']
    pins = (REPO / 'requirements' / 'cpu.txt').read_text().splitlines()
    assert any(p.startswith('mmpretrain==') for p in pins)


def test_import_and_registrations_without_mmpretrain(tmp_path):
    script = tmp_path / 'check.py'
    script.write_text(
        'import sys\n'
        'import gdkd_seg\n'
        'from gdkd_seg.models.losses import GDKDLoss\n'
        'from mmseg.registry import MODELS\n'
        "assert MODELS.get('SegDistiller') is not None\n"
        'import gdkd_seg.demo\n'
        "assert MODELS.get('PlainConvNet') is not None\n"
        "assert not any(m.split('.')[0] == 'mmpretrain' "
        'for m in sys.modules)\n'
        'try:\n'
        '    import gdkd_seg.cls\n'
        'except ImportError as err:\n'
        '    print(err)\n')
    out = blocked(str(script)).stdout
    assert 'pip install -e ".[cls]"' in out


def test_segmentation_tools_without_mmpretrain(tmp_path, tiny_cityscapes,
                                               tiny_teacher_ckpt):
    env = {'GDKD_TINY_DATA': tiny_cityscapes}
    work = tmp_path / 'work'
    blocked('tools/train.py', 'tests/configs/tiny_gdkd.py', '--work-dir',
            str(work), '--cfg-options',
            f'model.teacher_ckpt={tiny_teacher_ckpt}',
            'train_cfg.max_iters=1', 'train_cfg.val_interval=1',
            'default_hooks.checkpoint.interval=1', env=env)
    proc = blocked('tools/test.py', 'tests/configs/tiny_gdkd.py',
                   str(work / 'iter_1.pth'), '--work-dir',
                   str(tmp_path / 'test'), env=env)
    assert 'mIoU' in proc.stdout + proc.stderr
    blocked('tools/extract_student.py', str(work / 'iter_1.pth'),
            str(tmp_path / 'student.pth'))
    proc = blocked('tools/analysis/get_flops.py', 'tests/configs/tiny_gdkd.py',
                   '--shape', '64', '128')
    assert 'Params' in proc.stdout


def test_classification_config_fails_at_once_naming_the_extra(tmp_path):
    proc = blocked('tools/train.py', CLS_CFG, '--work-dir', str(tmp_path),
                   check=False)
    assert proc.returncode != 0
    assert 'pip install -e ".[cls]"' in proc.stderr
    assert 'MissingExtraError' in proc.stderr
    assert not list(tmp_path.iterdir())  # stopped before the runner


class DistributionNotFound(Exception):
    """Stands for pkg_resources' error (MMEngine resolving
    ``mmpretrain::...`` when MMPretrain is not installed at all)."""


@pytest.mark.parametrize('error, explained', [
    (DistributionNotFound("The 'mmpretrain' distribution was not found"),
     True),
    (ModuleNotFoundError('no', name='mmpretrain.registry'), True),
    (ModuleNotFoundError('no', name='mmdet'), False),
    (KeyError('mmpretrain'), False),
])
def test_explain_missing_extra(error, explained):
    with pytest.raises(MissingExtraError if explained else type(error),
                       match='.cls.' if explained else None) as info:
        with explain_missing_extra('x.py'):
            raise error
    if explained:
        assert info.value.__cause__ is error
