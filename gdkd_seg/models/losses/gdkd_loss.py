"""GDKD (Zheng & Cheng): the teacher's top-k classes vs the rest."""
from typing import Optional

import torch
from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import (BaseDistillLoss, Temperature, check_k, check_weights,
                   finish, group_log_masses, scaled_logits)


def gdkd_loss(student: Tensor, teacher: Tensor,
              target: Optional[Tensor] = None, k: int = 3, w0: float = 1.0,
              w1: float = 1.0, w2: float = 2.0,
              temperature: Temperature = 1.0, logit_stand: bool = False,
              ignore_index: Optional[int] = 255, reduction: str = 'mean',
              return_parts: bool = False):
    """``T^2 * (w0 * high + w1 * low_top + w2 * low_other)`` per pixel
    (docs/losses.md section 4)::

        U1 = the teacher's k largest logits,  U2 = the other classes
        high      = KL((m_U1(q), m_U2(q)) || (m_U1(p), m_U2(p)))
        low_top   = KL(q|U1 || p|U1)
        low_other = KL(q|U2 || p|U2)

    Labels only mark ignored pixels. ``k=1`` is the top-1 variant
    (``low_top`` is exactly 0), equal to DKD with the teacher's argmax as
    the label. Other arguments as :func:`gdkd_seg.models.losses.kd_loss`.

    Returns:
        The loss, and with ``return_parts`` also
        ``{'high', 'low_top', 'low_other'}`` (times ``T^2``, unweighted).
    """
    check_k(k, 'GDKD', min_k=1, num_classes=student.shape[1])
    check_weights(w0=w0, w1=w1, w2=w2)
    a, b, valid, T = scaled_logits(student, teacher, target, temperature,
                                   logit_stand, ignore_index)
    top = b.topk(k, dim=1, sorted=False).indices  # U1: (N, k, ...)
    a1, b1 = a.gather(1, top), b.gather(1, top)  # (N, k, ...)
    in_top = torch.zeros_like(a, dtype=torch.bool).scatter_(1, top, True)
    a2 = a.masked_fill(in_top, float('-inf'))  # U2: (N, C, ...)
    b2 = b.masked_fill(in_top, float('-inf'))
    lse_a, log_m_p = group_log_masses(a1, a2)  # (N, 2, ...)
    lse_b, log_m_q = group_log_masses(b1, b2)
    high = (log_m_q.exp() * (log_m_q - log_m_p)).sum(dim=1)
    log_p1, log_q1 = a1.log_softmax(dim=1), b1.log_softmax(dim=1)
    low_top = (log_q1.exp() * (log_q1 - log_p1)).sum(dim=1)
    # KL(q|U || p|U) = sum_U q|U (b - a) - (lse_U(b) - lse_U(a)); q|U2 is
    # exactly 0 on U1, where b - a is finite
    q2 = b2.softmax(dim=1)  # (N, C, ...)
    low_other = (q2 * (b - a)).sum(dim=1) - (lse_b[:, 1] - lse_a[:, 1])
    total = w0 * high + w1 * low_top + w2 * low_other
    parts = dict(high=high, low_top=low_top, low_other=low_other)
    return finish(total, parts, T, valid, reduction, return_parts)


@MODELS.register_module()
class GDKDLoss(BaseDistillLoss):
    """Registered GDKD loss; see :func:`gdkd_loss`."""
    loss_fn = gdkd_loss

    def __init__(self, k: int = 3, w0: float = 1.0, w1: float = 1.0,
                 w2: float = 2.0, temperature: float = 1.0,
                 logit_stand: bool = False, ignore_index: Optional[int] = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_gdkd') -> None:
        check_k(k, 'GDKD', min_k=1)
        super().__init__(loss_weight, loss_name, temperature,
                         weights=dict(w0=w0, w1=w1, w2=w2), k=k,
                         logit_stand=logit_stand, ignore_index=ignore_index)

    def check_num_classes(self, num_classes: int) -> None:
        check_k(self.hparams['k'], 'GDKD', min_k=1, num_classes=num_classes)
