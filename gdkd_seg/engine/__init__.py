"""Runner add-ons for long, shared-cluster jobs: exact resume, data and
teacher checks at start-up, bf16 autocast on CPU, CPU distributed runs,
and the runner that applies them before MMEngine builds anything."""
from .hooks import (DataCheckHook, GlooDrainHook, RNGStateHook,
                    SafeLoadHook, SafeSaveHook, TeacherEvalHook)
from .optim_wrappers import AutocastOptimWrapper
from .runners import GDKDRunner

__all__ = [
    'DataCheckHook', 'GlooDrainHook', 'RNGStateHook', 'SafeLoadHook',
    'SafeSaveHook', 'TeacherEvalHook', 'AutocastOptimWrapper', 'GDKDRunner'
]
