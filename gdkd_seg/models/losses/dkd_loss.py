"""DKD (Zhao et al., CVPR 2022): target / non-target decoupled KD."""
from typing import Optional

import torch
from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import BaseDistillLoss
from .partition import partitioned_kl_masks
from .utils import check_weights, finish, prepare_logits


def dkd_loss(student: Tensor,
             teacher: Tensor,
             target: Tensor,
             alpha: float = 1.0,
             beta: float = 8.0,
             temperature: float = 1.0,
             logit_stand: bool = False,
             ignore_index: Optional[int] = 255,
             reduction: str = 'mean',
             return_parts: bool = False):
    """``T^2 * (alpha * TCKD + beta * NCKD)`` per row / pixel.

    TCKD is the KL of the binary (label, rest) masses, NCKD the KL of the
    distributions over the non-target classes. Arguments as
    :func:`gdkd_seg.models.losses.kd_loss`; ``target`` is required.

    Returns:
        The loss, and with ``return_parts`` also ``{'tckd', 'nckd'}``
        (each times ``T^2``, unweighted, reduced alike).
    """
    if target is None:
        raise ValueError('DKD partitions the classes by the label: '
                         'target is required')
    check_weights(alpha=alpha, beta=beta)
    a, b, target, valid = prepare_logits(student, teacher, target,
                                         temperature, logit_stand,
                                         ignore_index)
    label = target.long()
    if valid is not None:
        label = label.masked_fill(~valid, 0)  # any class; masked later
    if ((label < 0) | (label >= a.shape[1])).any():
        raise ValueError(f'labels must lie in [0, {a.shape[1]}) or be '
                         f'ignore_index={ignore_index}')
    classes = torch.arange(a.shape[1], device=a.device).view(
        (1, -1) + (1, ) * (a.dim() - 2))
    onehot = torch.eq(label.unsqueeze(1), classes,
                      out=torch.empty_like(a))  # (N, C, ...)
    t = partitioned_kl_masks(a, b, [onehot], [1], alpha, [0.], beta,
                             valid=valid)
    parts = dict(tckd=t['high'], nckd=t['rest'])
    return finish(t['total'], parts, valid, temperature, reduction,
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
        super().__init__(temperature, logit_stand, ignore_index, loss_weight,
                         loss_name, alpha=alpha, beta=beta)
