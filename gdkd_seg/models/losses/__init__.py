"""Per-pixel logit-distillation losses (registered in MMEngine's MODELS)."""
from .base import T_MAX, T_MIN, BaseDistillLoss, logit_standardize
from .ctkd_loss import CTKDLoss
from .ctkd_temperature import CTKDTemperature, ctkd_lambda
from .cwd_loss import CWDLoss, cwd_loss
from .dkd_loss import DKDLoss, dkd_loss
from .gdkd3_loss import GDKD3Loss, gdkd3_loss
from .gdkd_loss import GDKDLoss, gdkd_loss
from .kd_loss import KDLoss, kd_loss
from .mlkd_loss import (MLKDLoss, mlkd_batch, mlkd_class, mlkd_instance,
                        mlkd_loss)

__all__ = [
    'BaseDistillLoss', 'KDLoss', 'DKDLoss', 'GDKDLoss', 'GDKD3Loss',
    'CWDLoss', 'CTKDLoss', 'MLKDLoss', 'CTKDTemperature', 'kd_loss',
    'dkd_loss', 'gdkd_loss', 'gdkd3_loss', 'cwd_loss', 'mlkd_loss',
    'mlkd_instance', 'mlkd_class', 'mlkd_batch', 'ctkd_lambda',
    'logit_standardize', 'T_MIN', 'T_MAX'
]
