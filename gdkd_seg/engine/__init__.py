"""Runner add-ons for long, shared-cluster jobs: exact resume, data and
teacher checks at start-up, bf16 autocast on CPU."""
from .hooks import (DataCheckHook, GlooDrainHook, RNGStateHook,
                    SafeLoadHook, TeacherEvalHook)
from .optim_wrappers import AutocastOptimWrapper

__all__ = [
    'DataCheckHook', 'GlooDrainHook', 'RNGStateHook', 'SafeLoadHook',
    'TeacherEvalHook', 'AutocastOptimWrapper'
]
