"""KD (Hinton et al.): KL(teacher || student) at temperature T."""
from typing import Optional

from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import BaseDistillLoss, Temperature, finish, scaled_logits


def kd_loss(student: Tensor, teacher: Tensor,
            target: Optional[Tensor] = None, temperature: Temperature = 1.0,
            logit_stand: bool = False, ignore_index: Optional[int] = 255,
            reduction: str = 'mean', return_parts: bool = False):
    """``T^2 * KL(q || p)`` per row / pixel (docs/losses.md section 2)::

        a = s / T,  b = t / T,  p = softmax(a),  q = softmax(b)
        KL(q || p) = sum_i q_i (log q_i - log p_i)

    Args:
        student: ``(N, C)`` or ``(N, C, H, W)`` student logits.
        teacher: teacher logits of the same shape (never gets gradient).
        target: optional ``(N,)`` / ``(N, H, W)`` labels at the logits'
            resolution, used only to drop pixels labelled
            ``ignore_index``.
        temperature: T in ``[T_MIN, T_MAX]``; with ``logit_stand`` the
            base temperature. A one-element tensor that requires grad
            (CTKD) gets its gradient through both softmaxes and ``T^2``.
        logit_stand: Z-score both logits per row / pixel first.
        ignore_index: label of ignored pixels (``None``: keep all).
        reduction: ``'mean'`` over valid pixels of the batch, ``'sum'``
            or ``'none'`` (the ``(N, ...)`` map, 0 at ignored pixels).
        return_parts: also return the (empty) dict of sub-terms.

    Returns:
        The loss (scalar, or the per-pixel map for ``'none'``).
    """
    a, b, valid, T = scaled_logits(student, teacher, target, temperature,
                                   logit_stand, ignore_index)
    log_p, log_q = a.log_softmax(dim=1), b.log_softmax(dim=1)  # (N, C, ..)
    kl = (log_q.exp() * (log_q - log_p)).sum(dim=1)  # (N, ...)
    return finish(kl, {}, T, valid, reduction, return_parts)


@MODELS.register_module()
class KDLoss(BaseDistillLoss):
    """Registered KD loss; see :func:`kd_loss` and
    :class:`~gdkd_seg.models.losses.base.BaseDistillLoss`."""
    loss_fn = kd_loss

    def __init__(self, temperature: float = 1.0, logit_stand: bool = False,
                 ignore_index: Optional[int] = 255, loss_weight: float = 1.0,
                 loss_name: str = 'loss_kd') -> None:
        super().__init__(loss_weight, loss_name, temperature,
                         logit_stand=logit_stand, ignore_index=ignore_index)
