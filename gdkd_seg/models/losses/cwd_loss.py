"""CWD (Shu et al., ICCV 2021): channel-wise distillation.

Each channel map of the logits becomes a distribution over the image's
positions (a softmax over space, not over classes), and the student's map
is matched to the teacher's by KL. This is mmrazor's
``ChannelWiseDivergence`` (and CIRKD's ``CriterionCWD`` with
``norm_type='channel'``), computed with log-sum-exp, so it stays finite
where CIRKD's ``softmax().log()`` underflows to ``-inf``.
"""
from typing import Optional

import torch
from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import (BaseDistillLoss, Temperature, check_logits,
                   check_temperature, logit_standardize)


def cwd_loss(student: Tensor,
             teacher: Tensor,
             target: Optional[Tensor] = None,
             temperature: Temperature = 1.0,
             ignore_index: Optional[int] = 255,
             reduction: str = 'mean',
             return_parts: bool = False,
             logit_stand: bool = False):
    """``T^2 / (C N') * sum_n sum_c KL(q_nc || p_nc)`` for ``(N, C, H, W)``
    (docs/losses.md section 9)::

        p_nc = softmax over the positions V_n of s[n, c] / T    (student)
        q_nc = softmax over the positions V_n of t[n, c] / T    (teacher)

    ``V_n`` is every position of image n without ``target``; with it, the
    positions not labelled ``ignore_index``, and ``N'`` counts the images
    that keep a position (DERIVED: upstream has no ignore mask; with
    nothing ignored this is upstream's value, ``N' = N``). Both maps are
    renormalised over ``V_n``: masking the terms without renormalising
    would not be a KL.

    Args:
        student: ``(N, C, H, W)`` student logits, ``H * W > 0``.
        teacher: teacher logits of the same shape (never gets gradient).
        target: optional ``(N, H, W)`` labels.
        temperature: T (``tau`` in mmrazor) in ``[T_MIN, T_MAX]``; a
            one-element tensor that requires grad gets its gradient
            through both softmaxes.
        ignore_index: label of ignored pixels (``None``: keep all).
        reduction: ``'mean'`` (the loss above), ``'sum'`` (without the
            ``1 / (C N')``) or ``'none'``: the ``(N, H, W)`` map of
            ``T^2 sum_c q_nc(i) (log q_nc(i) - log p_nc(i))``, whose
            total is the ``'sum'`` (0 at ignored positions).
        return_parts: also return the (empty) dict of sub-terms.
        logit_stand: first Z-score each position's class vector (student
            and teacher separately, docs/losses.md §6), then CWD on the
            standardised logits at the base temperature (DERIVED: no
            upstream code combines LS with CWD).

    Returns:
        The loss (scalar, or the per-position map for ``'none'``).
    """
    check_logits(student, teacher)
    check_temperature(temperature)
    if student.dim() != 4 or student.shape[2] * student.shape[3] == 0:
        raise ValueError('CWD needs (N, C, H, W) logits with H * W > 0, '
                         f'got {tuple(student.shape)}')
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f'reduction must be none, mean or sum, got '
                         f'{reduction!r}')
    N, C, H, W = student.shape
    valid = None
    if target is not None and ignore_index is not None:
        if tuple(target.shape) != (N, H, W):
            raise ValueError(f'target of shape {tuple(target.shape)} does '
                             f'not match logits of shape {(N, C, H, W)}')
        valid = (target != ignore_index).reshape(N, 1, H * W)
    if isinstance(temperature, Tensor):
        temperature = temperature.reshape(())
    dtype = torch.promote_types(student.dtype, torch.float32)
    student, teacher = student.to(dtype), teacher.detach().to(dtype)
    if logit_stand:  # per position over the classes; ignored ones zeroed
        if valid is not None:  # first, so garbage there reaches nothing
            ignored = ~valid.view(N, 1, H, W)
            student = student.masked_fill(ignored, 0.)
            teacher = teacher.masked_fill(ignored, 0.)
        student = logit_standardize(student)
        teacher = logit_standardize(teacher)
    # one distribution per (image, channel) map: softmax over dim 2
    a = student.reshape(N, C, H * W) / temperature
    b = teacher.reshape(N, C, H * W) / temperature
    if valid is None:
        log_p, log_q = a.log_softmax(dim=2), b.log_softmax(dim=2)
        terms = log_q.exp() * (log_q - log_p)  # (N, C, H * W)
    else:
        images = valid.any(dim=2)  # (N, 1): images with a V_n
        # an image without V_n keeps every (zeroed) position and is
        # dropped below; garbage outside V_n reaches nothing
        keep = valid | ~images.unsqueeze(2)  # (N, 1, H * W)
        a, b = a.masked_fill(~valid, 0.), b.masked_fill(~valid, 0.)
        log_p = a.masked_fill(~keep, float('-inf')).log_softmax(dim=2)
        log_q = b.masked_fill(~keep, float('-inf')).log_softmax(dim=2)
        # q is exactly 0 outside V_n, where log q - log p is inf - inf
        terms = log_q.exp() * torch.where(keep, log_q - log_p, 0.)
        terms = terms.masked_fill(~images.unsqueeze(2), 0.)
    terms = terms * temperature**2
    if reduction == 'none':
        loss = terms.sum(dim=1).view(N, H, W)
    else:
        loss = terms.sum(dim=2).clamp_min(0.).sum()  # only rounding < 0
        if reduction == 'mean':
            count = max(N, 1) if valid is None else images.sum().clamp(
                min=1)
            loss = loss / (C * count)
    return (loss, {}) if return_parts else loss


@MODELS.register_module()
class CWDLoss(BaseDistillLoss):
    """Registered CWD loss; see :func:`cwd_loss`.

    ``CWDLoss(temperature=1.0, loss_weight=5.0)`` is mmrazor's
    ``ChannelWiseDivergence(tau=1, loss_weight=5)``; CIRKD's logit CWD is
    ``temperature=4.0`` with its weight 3 as ``loss_weight``.
    """
    loss_fn = cwd_loss

    def __init__(self,
                 temperature: float = 1.0,
                 ignore_index: Optional[int] = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_cwd',
                 logit_stand: bool = False) -> None:
        super().__init__(loss_weight, loss_name, temperature,
                         ignore_index=ignore_index, logit_stand=logit_stand)
