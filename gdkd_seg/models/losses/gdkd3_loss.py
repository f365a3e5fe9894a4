"""GDKD3: the teacher's top-1 / ranks 2..k / the rest."""
from typing import Optional

import torch
from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import (BaseDistillLoss, Temperature, check_k, check_weights,
                   finish, group_log_masses, scaled_logits)


def gdkd3_loss(student: Tensor, teacher: Tensor,
               target: Optional[Tensor] = None, k: int = 4, w0: float = 1.0,
               w1: float = 1.0, w2: float = 8.0,
               temperature: Temperature = 1.0, logit_stand: bool = False,
               ignore_index: Optional[int] = 255, reduction: str = 'mean',
               return_parts: bool = False):
    """``T^2 * (w0 * high + w1 * low_top2k + w2 * low_other)`` per pixel
    (docs/losses.md section 5)::

        U1 = the teacher's top-1,  U2 = its ranks 2..k,  U3 = the rest
        high      = KL((m_U1(q), m_U2(q), m_U3(q)) || (m_U1(p), ...))
        low_top2k = KL(q|U2 || p|U2)
        low_other = KL(q|U3 || p|U3)

    (the one-class U1 has no inner term). Needs ``2 <= k < C``. Other
    arguments as :func:`gdkd_seg.models.losses.kd_loss`.

    Returns:
        The loss, and with ``return_parts`` also
        ``{'high', 'low_top2k', 'low_other'}`` (times ``T^2``).
    """
    check_k(k, 'GDKD3', min_k=2, num_classes=student.shape[1])
    check_weights(w0=w0, w1=w1, w2=w2)
    a, b, valid, T = scaled_logits(student, teacher, target, temperature,
                                   logit_stand, ignore_index)
    top = b.topk(k, dim=1).indices  # ranked: (N, k, ...)
    top1, ranks = top[:, :1], top[:, 1:]  # U1, U2
    a2, b2 = a.gather(1, ranks), b.gather(1, ranks)  # (N, k - 1, ...)
    in_top = torch.zeros_like(a, dtype=torch.bool).scatter_(1, top, True)
    a3 = a.masked_fill(in_top, float('-inf'))  # U3: (N, C, ...)
    b3 = b.masked_fill(in_top, float('-inf'))
    lse_a, log_m_p = group_log_masses(a.gather(1, top1), a2, a3)
    lse_b, log_m_q = group_log_masses(b.gather(1, top1), b2, b3)
    high = (log_m_q.exp() * (log_m_q - log_m_p)).sum(dim=1)
    log_p2, log_q2 = a2.log_softmax(dim=1), b2.log_softmax(dim=1)
    low_top2k = (log_q2.exp() * (log_q2 - log_p2)).sum(dim=1)
    # KL(q|U || p|U) = sum_U q|U (b - a) - (lse_U(b) - lse_U(a)); q|U3 is
    # exactly 0 outside U3, where b - a is finite
    q3 = b3.softmax(dim=1)  # (N, C, ...)
    low_other = (q3 * (b - a)).sum(dim=1) - (lse_b[:, 2] - lse_a[:, 2])
    total = w0 * high + w1 * low_top2k + w2 * low_other
    parts = dict(high=high, low_top2k=low_top2k, low_other=low_other)
    return finish(total, parts, T, valid, reduction, return_parts)


@MODELS.register_module()
class GDKD3Loss(BaseDistillLoss):
    """Registered GDKD3 loss; see :func:`gdkd3_loss`."""
    loss_fn = gdkd3_loss

    def __init__(self, k: int = 4, w0: float = 1.0, w1: float = 1.0,
                 w2: float = 8.0, temperature: float = 1.0,
                 logit_stand: bool = False, ignore_index: Optional[int] = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_gdkd3') -> None:
        check_k(k, 'GDKD3', min_k=2)
        super().__init__(loss_weight, loss_name, temperature,
                         weights=dict(w0=w0, w1=w1, w2=w2), k=k,
                         logit_stand=logit_stand, ignore_index=ignore_index)

    def check_num_classes(self, num_classes: int) -> None:
        check_k(self.hparams['k'], 'GDKD3', min_k=2,
                num_classes=num_classes)
