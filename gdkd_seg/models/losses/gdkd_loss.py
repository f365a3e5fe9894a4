"""GDKD (Zheng & Cheng): the teacher's top-k classes vs the rest."""
from typing import Optional

from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import BaseDistillLoss
from .partition import partition_kl, top_masks
from .utils import (Temperature, check_k, check_weights, finish,
                    prepare_logits)


def gdkd_loss(student: Tensor,
              teacher: Tensor,
              target: Optional[Tensor] = None,
              k: int = 3,
              w0: float = 1.0,
              w1: float = 1.0,
              w2: float = 2.0,
              temperature: Temperature = 1.0,
              logit_stand: bool = False,
              ignore_index: Optional[int] = 255,
              reduction: str = 'mean',
              return_parts: bool = False):
    """``T^2 * (w0 * high + w1 * low_top + w2 * low_other)`` per pixel::

        U1 = the teacher's k largest logits,  U2 = the other classes
        high      = KL((q_U1, q_U2) || (p_U1, p_U2))    group masses
        low_top   = KL(q | U1 || p | U1)
        low_other = KL(q | U2 || p | U2)

    Labels only mark ignored pixels. ``k=1`` is the top-1 variant
    (``low_top`` is exactly 0), equal to DKD with the teacher's argmax as
    the label. Other arguments as :func:`gdkd_seg.models.losses.kd_loss`.

    Returns:
        The loss, and with ``return_parts`` also
        ``{'high', 'low_top', 'low_other'}`` (times ``T^2``, unweighted).
    """
    check_k(k, 'GDKD', min_k=1, num_classes=student.shape[1])
    check_weights(w0=w0, w1=w1, w2=w2)
    x = prepare_logits(student, teacher, target, temperature, logit_stand,
                       ignore_index)
    a, b, valid = x.student, x.teacher, x.valid  # (N, C, ...)
    top, teacher_max = top_masks(b, k, valid=valid)  # [(N, C, ...)]
    terms = partition_kl(a, b, groups=top, group_sizes=[k],
                         teacher_max=teacher_max, valid=valid)
    high, low_top, low_other = terms.high, terms.inner[0], terms.rest
    total = w0 * high + w1 * low_top + w2 * low_other
    parts = dict(high=high, low_top=low_top, low_other=low_other)
    return finish(total, parts, x, reduction, return_parts)


@MODELS.register_module()
class GDKDLoss(BaseDistillLoss):
    """Registered GDKD loss; see :func:`gdkd_loss`."""
    loss_fn = gdkd_loss

    def __init__(self,
                 k: int = 3,
                 w0: float = 1.0,
                 w1: float = 1.0,
                 w2: float = 2.0,
                 temperature: float = 1.0,
                 logit_stand: bool = False,
                 ignore_index: Optional[int] = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_gdkd') -> None:
        check_k(k, 'GDKD', min_k=1)
        super().__init__(loss_weight, loss_name, temperature,
                         weights=dict(w0=w0, w1=w1, w2=w2), k=k,
                         logit_stand=logit_stand, ignore_index=ignore_index)

    def check_num_classes(self, num_classes: int) -> None:
        check_k(self.hparams['k'], 'GDKD', min_k=1, num_classes=num_classes)
