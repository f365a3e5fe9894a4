"""GDKD3: the teacher's top-1 / ranks 2..k / the rest."""
from typing import Optional

from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import BaseDistillLoss
from .partition import partition_kl, top_masks
from .utils import (Temperature, check_k, check_weights, finish,
                    prepare_logits)


def gdkd3_loss(student: Tensor,
               teacher: Tensor,
               target: Optional[Tensor] = None,
               k: int = 4,
               w0: float = 1.0,
               w1: float = 1.0,
               w2: float = 8.0,
               temperature: Temperature = 1.0,
               logit_stand: bool = False,
               ignore_index: Optional[int] = 255,
               reduction: str = 'mean',
               return_parts: bool = False):
    """``T^2 * (w0 * high + w1 * low_top2k + w2 * low_other)`` per pixel::

        U1 = the teacher's top-1,  U2 = its ranks 2..k,  U3 = the rest
        high      = KL((q_U1, q_U2, q_U3) || (p_U1, p_U2, p_U3))
        low_top2k = KL(q | U2 || p | U2)
        low_other = KL(q | U3 || p | U3)

    (the one-class U1 has no inner term). Needs ``2 <= k < C``. Other
    arguments as :func:`gdkd_seg.models.losses.kd_loss`.

    Returns:
        The loss, and with ``return_parts`` also
        ``{'high', 'low_top2k', 'low_other'}`` (times ``T^2``).
    """
    check_k(k, 'GDKD3', min_k=2, num_classes=student.shape[1])
    check_weights(w0=w0, w1=w1, w2=w2)
    x = prepare_logits(student, teacher, target, temperature, logit_stand,
                       ignore_index)
    a, b, valid = x.student, x.teacher, x.valid  # (N, C, ...)
    (top1, ranks_2k), teacher_max = top_masks(b, k, split_top1=True,
                                              valid=valid)
    terms = partition_kl(a, b, groups=[top1, ranks_2k],
                         group_sizes=[1, k - 1], teacher_max=teacher_max,
                         valid=valid)
    high, low_top2k, low_other = terms.high, terms.inner[1], terms.rest
    total = w0 * high + w1 * low_top2k + w2 * low_other
    parts = dict(high=high, low_top2k=low_top2k, low_other=low_other)
    return finish(total, parts, x, reduction, return_parts)


@MODELS.register_module()
class GDKD3Loss(BaseDistillLoss):
    """Registered GDKD3 loss; see :func:`gdkd3_loss`."""
    loss_fn = gdkd3_loss

    def __init__(self,
                 k: int = 4,
                 w0: float = 1.0,
                 w1: float = 1.0,
                 w2: float = 8.0,
                 temperature: float = 1.0,
                 logit_stand: bool = False,
                 ignore_index: Optional[int] = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_gdkd3') -> None:
        check_k(k, 'GDKD3', min_k=2)
        super().__init__(loss_weight, loss_name, temperature,
                         weights=dict(w0=w0, w1=w1, w2=w2), k=k,
                         logit_stand=logit_stand, ignore_index=ignore_index)

    def check_num_classes(self, num_classes: int) -> None:
        check_k(self.hparams['k'], 'GDKD3', min_k=2,
                num_classes=num_classes)
