"""gdkd_seg: logit distillation (KD, DKD, GDKD, GDKD3, +LS) for MMSeg.

Importing the package (configs do it with ``custom_imports``) first makes
the OpenMMLab stack usable on current torch: a pure-PyTorch ``mmcv.ops``
stand-in when only mmcv-lite is installed, and an allow-list that lets
MMEngine checkpoints load with torch's safe unpickler.
"""
from .utils import allow_mmengine_checkpoints, install_mmcv_ops_fallback

install_mmcv_ops_fallback()
allow_mmengine_checkpoints()

from . import engine, models  # noqa: E402,F401  (registers the modules)
from . import datasets  # noqa: E402,F401  (the offline demo benchmark)
from .version import __version__  # noqa: E402

__all__ = ['__version__']
