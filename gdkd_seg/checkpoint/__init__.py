"""Checkpoints: safe loading (torch's weights-only unpickler plus the
smallest allow-list MMEngine checkpoints need)."""
from .safe_load import (UnsafeCheckpointError, check_checkpoint,
                        checkpoint_globals, load_mmengine_checkpoint,
                        mmengine_checkpoint_loading)

__all__ = [
    'UnsafeCheckpointError', 'check_checkpoint', 'checkpoint_globals',
    'load_mmengine_checkpoint', 'mmengine_checkpoint_loading'
]
