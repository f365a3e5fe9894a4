"""Per-pixel logit-distillation losses (registered in MMEngine's MODELS)."""
from .base import BaseDistillLoss
from .dkd_loss import DKDLoss, dkd_loss
from .gdkd3_loss import GDKD3Loss, gdkd3_loss
from .gdkd_loss import GDKDLoss, gdkd_loss
from .kd_loss import KDLoss, kd_loss
from .mlkd_loss import (MLKDLoss, mlkd_batch, mlkd_class, mlkd_instance,
                        mlkd_loss)
from .partition import partitioned_kl
from .utils import logit_standardize

__all__ = [
    'BaseDistillLoss', 'KDLoss', 'DKDLoss', 'GDKDLoss', 'GDKD3Loss',
    'kd_loss', 'dkd_loss', 'gdkd_loss', 'gdkd3_loss', 'logit_standardize',
    'partitioned_kl'
]
__all__ += [
    'MLKDLoss', 'mlkd_loss', 'mlkd_instance', 'mlkd_class', 'mlkd_batch'
]
