"""KD (Hinton et al.): KL(teacher || student) at temperature T."""
from typing import Optional

from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import BaseDistillLoss
from .utils import finish, logsumexp, prepare_logits, softmax_lse


def kd_loss(student: Tensor,
            teacher: Tensor,
            target: Optional[Tensor] = None,
            temperature: float = 1.0,
            logit_stand: bool = False,
            ignore_index: Optional[int] = 255,
            reduction: str = 'mean',
            return_parts: bool = False):
    """``T^2 * KL(softmax(t / T) || softmax(s / T))`` per row / pixel.

    Args:
        student: ``(N, C)`` or ``(N, C, H, W)`` student logits.
        teacher: teacher logits of the same shape (never gets gradient).
        target: optional ``(N,)`` / ``(N, H, W)`` labels (or labels at an
            integer multiple of the logits' size), used only to drop
            pixels labelled ``ignore_index``.
        temperature: T; with ``logit_stand`` the base temperature.
        logit_stand: Z-score both logits per row / pixel first.
        ignore_index: label of ignored pixels (``None``: keep all).
        reduction: ``'mean'`` over valid pixels of the batch, ``'sum'``
            or ``'none'`` (the ``(N, ...)`` map, 0 at ignored pixels).
        return_parts: also return the (empty) dict of sub-terms.

    Returns:
        The loss (scalar, or the per-pixel map for ``'none'``).
    """
    a, b, _, valid = prepare_logits(student, teacher, target, temperature,
                                    logit_stand, ignore_index)
    q, lse_b = softmax_lse(b)  # (N, C, ...), (N, 1, ...); no grad
    # KL = sum_i q_i (log q_i - log p_i) with log q - log p = b - a - lse
    # (written as lse_a - lse_b - sum q (a - b): no negated map backward)
    kl = (logsumexp(a) - lse_b) - (q * (a - b)).sum(dim=1, keepdim=True)
    kl = kl.squeeze(1)  # (N, ...)
    return finish(kl, {}, valid, temperature, reduction, return_parts)


@MODELS.register_module()
class KDLoss(BaseDistillLoss):
    """Registered KD loss; see :func:`kd_loss` and
    :class:`~gdkd_seg.models.losses.base.BaseDistillLoss`."""
    loss_fn = kd_loss

    def __init__(self,
                 temperature: float = 1.0,
                 logit_stand: bool = False,
                 ignore_index: Optional[int] = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_kd') -> None:
        super().__init__(temperature, logit_stand, ignore_index, loss_weight,
                         loss_name)
