"""Fixes that keep the OpenMMLab stack working on current torch."""
from .mmcv_ops_fallback import has_compiled_ops
from .mmcv_ops_fallback import install as install_mmcv_ops_fallback
from .safe_load import (UnsafeCheckpointError, check_checkpoint,
                        checkpoint_globals, load_mmengine_checkpoint,
                        mmengine_checkpoint_loading)

__all__ = [
    'has_compiled_ops', 'install_mmcv_ops_fallback', 'UnsafeCheckpointError',
    'check_checkpoint', 'checkpoint_globals', 'load_mmengine_checkpoint',
    'mmengine_checkpoint_loading'
]
