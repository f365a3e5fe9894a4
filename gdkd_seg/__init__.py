"""gdkd_seg: logit distillation (KD, DKD, GDKD, GDKD3, +LS) for MMSeg.

Importing the package (configs do it with ``custom_imports``) does two
things, both idempotent and listed in docs "What importing gdkd_seg
does": a pure-PyTorch ``mmcv.ops`` stand-in when only mmcv-lite is
installed (MMSeg cannot be imported otherwise), and the registration of
the segmentation core (losses, ``SegDistiller``, hooks, runner, optimizer
wrapper) in the OpenMMLab registries. The classification extra
(:mod:`gdkd_seg.cls`) and the demo (:mod:`gdkd_seg.demo`) register their
modules when they are imported, as their configs do. It does not touch
``torch.load``: checkpoints are unpickled safely by
:mod:`gdkd_seg.checkpoint.safe_load`.
"""
from .compat import install_mmcv_ops_fallback

install_mmcv_ops_fallback()

from . import engine, models  # noqa: E402,F401  (registers the modules)
from .version import __version__  # noqa: E402

__all__ = ['__version__']
