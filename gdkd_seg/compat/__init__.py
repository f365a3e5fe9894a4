"""Fixes that keep the OpenMMLab stack working on current torch: the
``mmcv.ops`` stand-in for mmcv-lite, the optional extras, and CPU
distributed runs."""
from .mmcv_ops_fallback import has_compiled_ops
from .mmcv_ops_fallback import install as install_mmcv_ops_fallback

__all__ = ['has_compiled_ops', 'install_mmcv_ops_fallback']
