"""DKD (Zhao et al., CVPR 2022): target / non-target decoupled KD."""
from typing import Optional

import torch
from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import BaseDistillLoss
from .partition import partition_kl
from .utils import Temperature, check_weights, finish, prepare_logits


def dkd_loss(student: Tensor,
             teacher: Tensor,
             target: Tensor,
             alpha: float = 1.0,
             beta: float = 8.0,
             temperature: Temperature = 1.0,
             logit_stand: bool = False,
             ignore_index: Optional[int] = 255,
             reduction: str = 'mean',
             return_parts: bool = False):
    """``T^2 * (alpha * TCKD + beta * NCKD)`` per row / pixel::

        TCKD = KL((q_y, 1 - q_y) || (p_y, 1 - p_y))     binary masses
        NCKD = KL(q | not y  ||  p | not y)             non-target classes

    with ``y`` the label. Arguments as
    :func:`gdkd_seg.models.losses.kd_loss`; ``target`` is required.

    Returns:
        The loss, and with ``return_parts`` also ``{'tckd', 'nckd'}``
        (each times ``T^2``, unweighted, reduced alike).
    """
    if target is None:
        raise ValueError('DKD partitions the classes by the label: '
                         'target is required')
    check_weights(alpha=alpha, beta=beta)
    x = prepare_logits(student, teacher, target, temperature, logit_stand,
                       ignore_index)
    a, b, valid = x.student, x.teacher, x.valid  # (N, C, ...)
    label = x.target.long()
    if valid is not None:
        label = label.masked_fill(~valid, 0)  # any class; masked later
    if ((label < 0) | (label >= a.shape[1])).any():
        raise ValueError(f'labels must lie in [0, {a.shape[1]}) or be '
                         f'ignore_index={ignore_index}')
    classes = torch.arange(a.shape[1], device=a.device).view(
        (1, -1) + (1, ) * (a.dim() - 2))
    is_target = torch.eq(label.unsqueeze(1), classes,
                         out=torch.empty_like(a))  # (N, C, ...)
    terms = partition_kl(a, b, groups=[is_target], group_sizes=[1],
                         valid=valid)
    tckd, nckd = terms.high, terms.rest
    total = alpha * tckd + beta * nckd
    return finish(total, dict(tckd=tckd, nckd=nckd), x, reduction,
                  return_parts)


@MODELS.register_module()
class DKDLoss(BaseDistillLoss):
    """Registered DKD loss; see :func:`dkd_loss`."""
    loss_fn = dkd_loss

    def __init__(self,
                 alpha: float = 1.0,
                 beta: float = 8.0,
                 temperature: float = 1.0,
                 logit_stand: bool = False,
                 ignore_index: Optional[int] = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_dkd') -> None:
        super().__init__(loss_weight, loss_name, temperature,
                         weights=dict(alpha=alpha, beta=beta),
                         logit_stand=logit_stand, ignore_index=ignore_index)
