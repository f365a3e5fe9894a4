"""What ``import gdkd_seg`` does (docs "What importing gdkd_seg does"):
the mmcv.ops stand-in and registrations, once, and nothing to torch."""
import subprocess
import sys

from tests.conftest import REPO


def test_import_effects_are_idempotent():
    """Importing twice or reloading changes nothing; nothing is added to
    torch's safe globals (a fresh process)."""
    code = '''
import importlib, sys, torch, mmengine.runner
before = set(map(repr, torch.serialization.get_safe_globals()))
import gdkd_seg
import gdkd_seg.compat.mmcv_ops_fallback as fallback
from mmengine.registry import HOOKS, MODELS
def state():
    import mmcv
    return (sys.modules.get('mmcv.ops'), getattr(mmcv, 'ops', None),
            set(map(repr, torch.serialization.get_safe_globals())),
            dict(HOOKS.module_dict), dict(MODELS.module_dict))
first = state()
import gdkd_seg  # noqa
importlib.reload(gdkd_seg)
importlib.reload(fallback)
fallback.install()
again = state()
assert first[0] is again[0] and first[1] is again[1] is first[0]
assert first[2:] == again[2:], 'registries or safe globals changed'
new = first[2] - before
assert not new, new
print('ok')
'''
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO,
                         capture_output=True, text=True)
    assert out.stdout.strip().endswith('ok'), out.stderr[-3000:]


def test_import_registers_the_segmentation_core_only():
    """With MMPretrain installed, ``import gdkd_seg`` registers the
    segmentation core and imports no MMPretrain module; the classification
    extra and the demo register their modules when they are imported (as
    their configs' ``custom_imports`` do). A fresh process."""
    code = '''
import sys
import gdkd_seg
from mmengine.registry import MODELS as ROOT
from mmseg.registry import DATASETS, MODELS
assert MODELS.get('SegDistiller') and ROOT.get('GDKDLoss')
assert not [m for m in sys.modules if m.split('.')[0] == 'mmpretrain']
assert MODELS.get('PlainConvNet') is None
assert DATASETS.get('DemoDigitsDataset') is None
import gdkd_seg.demo
assert MODELS.get('PlainConvNet') and DATASETS.get('DemoDigitsDataset')
import gdkd_seg.cls
from mmpretrain.registry import MODELS as CLS, TRANSFORMS
assert CLS.get('ClsDistiller') and CLS.get('CIFARResNet')
assert CLS.get('MultiViewClsDataPreprocessor')
assert TRANSFORMS.get('MLKDRandAugment')
print('ok')
'''
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO,
                         capture_output=True, text=True)
    assert out.stdout.strip().endswith('ok'), out.stderr[-3000:]
