from .data_check_hook import DataCheckHook
from .gloo_drain_hook import GlooDrainHook
from .rng_state_hook import RNGStateHook
from .safe_load_hook import SafeLoadHook
from .safe_save_hook import SafeSaveHook
from .teacher_eval_hook import TeacherEvalHook

__all__ = [
    'DataCheckHook', 'GlooDrainHook', 'RNGStateHook', 'SafeLoadHook',
    'SafeSaveHook', 'TeacherEvalHook'
]
