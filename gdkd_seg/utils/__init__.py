"""Fixes that keep the OpenMMLab stack working on current torch."""
from .mmcv_ops_fallback import has_compiled_ops
from .mmcv_ops_fallback import install as install_mmcv_ops_fallback
from .safe_load import allow_mmengine_checkpoints, checkpoint_globals

__all__ = [
    'has_compiled_ops', 'install_mmcv_ops_fallback',
    'allow_mmengine_checkpoints', 'checkpoint_globals'
]
