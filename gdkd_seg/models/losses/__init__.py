"""Per-pixel logit-distillation losses (registered in MMEngine's MODELS)."""
from .base import BaseDistillLoss
from .dkd_loss import DKDLoss, dkd_loss
from .gdkd3_loss import GDKD3Loss, gdkd3_loss
from .gdkd_loss import GDKDLoss, gdkd_loss
from .kd_loss import KDLoss, kd_loss
from .utils import logit_standardize

__all__ = [
    'BaseDistillLoss', 'KDLoss', 'DKDLoss', 'GDKDLoss', 'GDKD3Loss',
    'kd_loss', 'dkd_loss', 'gdkd_loss', 'gdkd3_loss', 'logit_standardize'
]

# issue 14: CWD and CTKD (kept as separate blocks so other methods can be
# added beside them without touching these lines)
from .cwd_loss import CWDLoss, cwd_loss  # noqa: E402
from .ctkd_temperature import CTKDTemperature, ctkd_lambda  # noqa: E402
from .ctkd_loss import CTKDLoss  # noqa: E402

__all__ += ['CWDLoss', 'cwd_loss', 'CTKDTemperature', 'ctkd_lambda',
            'CTKDLoss']
