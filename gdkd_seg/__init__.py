"""gdkd_seg: logit distillation (KD, DKD, GDKD, GDKD3, +LS) for MMSeg.

Importing the package (configs do it with ``custom_imports``) does two
things, both idempotent and listed in README "What importing gdkd_seg
does": a pure-PyTorch ``mmcv.ops`` stand-in when only mmcv-lite is
installed (MMSeg cannot be imported otherwise), and the registration of
our modules in the OpenMMLab registries. It does not touch ``torch.load``:
checkpoints are unpickled safely by :mod:`gdkd_seg.utils.safe_load`.
"""
from .utils import install_mmcv_ops_fallback

install_mmcv_ops_fallback()

from . import engine, models  # noqa: E402,F401  (registers the modules)
from . import datasets  # noqa: E402,F401  (the offline demo benchmark)
from .version import __version__  # noqa: E402

__all__ = ['__version__']
