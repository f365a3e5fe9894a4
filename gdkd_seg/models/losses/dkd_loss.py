"""DKD (Zhao et al., CVPR 2022): target / non-target decoupled KD."""
from typing import Optional

import torch
from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import (BaseDistillLoss, Temperature, check_weights, finish,
                   group_log_masses, scaled_logits)


def dkd_loss(student: Tensor, teacher: Tensor, target: Tensor,
             alpha: float = 1.0, beta: float = 8.0,
             temperature: Temperature = 1.0, logit_stand: bool = False,
             ignore_index: Optional[int] = 255, reduction: str = 'mean',
             return_parts: bool = False):
    """``T^2 * (alpha * TCKD + beta * NCKD)`` per row / pixel, with the
    label ``y`` splitting the classes into ``{y}`` and the rest ``R``
    (docs/losses.md section 3)::

        TCKD = KL((q_y, m_R(q)) || (p_y, m_R(p)))      binary masses
        NCKD = KL(q|R || p|R)                          non-target classes

    Arguments as :func:`gdkd_seg.models.losses.kd_loss`; ``target`` is
    required.

    Returns:
        The loss, and with ``return_parts`` also ``{'tckd', 'nckd'}``
        (each times ``T^2``, unweighted, reduced alike).
    """
    if target is None:
        raise ValueError('DKD partitions the classes by the label: '
                         'target is required')
    check_weights(alpha=alpha, beta=beta)
    a, b, valid, T = scaled_logits(student, teacher, target, temperature,
                                   logit_stand, ignore_index)
    y = target.long()
    if valid is not None:
        y = y.masked_fill(~valid, 0)  # any class: those pixels give 0
    if ((y < 0) | (y >= a.shape[1])).any():
        raise ValueError(f'labels must lie in [0, {a.shape[1]}) or be '
                         f'ignore_index={ignore_index}')
    y = y.unsqueeze(1)  # (N, 1, ...)
    is_y = torch.zeros_like(a, dtype=torch.bool).scatter_(1, y, True)
    a_rest = a.masked_fill(is_y, float('-inf'))  # (N, C, ...)
    b_rest = b.masked_fill(is_y, float('-inf'))
    lse_a, log_m_p = group_log_masses(a.gather(1, y), a_rest)  # (N, 2, ..)
    lse_b, log_m_q = group_log_masses(b.gather(1, y), b_rest)
    tckd = (log_m_q.exp() * (log_m_q - log_m_p)).sum(dim=1)
    # KL(q|R || p|R) = sum_R q|R (b - a) - (lse_R(b) - lse_R(a)); q|R is
    # exactly 0 at y, where b - a is finite
    q_rest = b_rest.softmax(dim=1)  # (N, C, ...)
    nckd = (q_rest * (b - a)).sum(dim=1) - (lse_b[:, 1] - lse_a[:, 1])
    total = alpha * tckd + beta * nckd
    return finish(total, dict(tckd=tckd, nckd=nckd), T, valid, reduction,
                  return_parts)


@MODELS.register_module()
class DKDLoss(BaseDistillLoss):
    """Registered DKD loss; see :func:`dkd_loss`."""
    loss_fn = dkd_loss

    def __init__(self, alpha: float = 1.0, beta: float = 8.0,
                 temperature: float = 1.0, logit_stand: bool = False,
                 ignore_index: Optional[int] = 255, loss_weight: float = 1.0,
                 loss_name: str = 'loss_dkd') -> None:
        super().__init__(loss_weight, loss_name, temperature,
                         weights=dict(alpha=alpha, beta=beta),
                         logit_stand=logit_stand, ignore_index=ignore_index)
