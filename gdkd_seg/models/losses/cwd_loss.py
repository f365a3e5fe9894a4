"""CWD (Shu et al., ICCV 2021): channel-wise distillation.

Each channel map of the logits becomes a distribution over the image's
positions (a softmax over space, not over classes), and the student's map
is matched to the teacher's by KL. This is mmrazor's
``ChannelWiseDivergence`` (and CIRKD's ``CriterionCWD`` with
``norm_type='channel'``), computed with log-sum-exp, so it stays finite
where CIRKD's ``softmax().log()`` underflows to ``-inf``.
"""
from typing import Optional

from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import BaseDistillLoss
from .utils import (Temperature, check_inputs, clean_invalid, logsumexp,
                    learns_temperature, logit_standardize, softmax_lse,
                    valid_mask)


def cwd_loss(student: Tensor,
             teacher: Tensor,
             target: Optional[Tensor] = None,
             temperature: Temperature = 1.0,
             ignore_index: Optional[int] = 255,
             reduction: str = 'mean',
             return_parts: bool = False,
             logit_stand: bool = False):
    """``T^2 / (C N') * sum_n sum_c KL(q_nc || p_nc)`` for ``(N, C, H, W)``::

        p_nc = softmax over the positions V_n of s[n, c] / T    (student)
        q_nc = softmax over the positions V_n of t[n, c] / T    (teacher)
        KL(q || p) = lse_V(a) - lse_V(b) - sum_{i in V} q_i (a_i - b_i)

    ``V_n`` is every position of image n without ``target``; with it, the
    positions not labelled ``ignore_index`` (labels nearest-downsampled
    to the logits), and ``N'`` counts the images that keep a position
    (DERIVED: upstream has no ignore mask; with nothing ignored this is
    upstream's value, ``N' = N``). Both maps are renormalised over
    ``V_n``: masking the terms without renormalising would not be a KL.

    Args:
        student: ``(N, C, H, W)`` student logits.
        teacher: teacher logits of the same shape (never gets gradient).
        target: optional ``(N, H', W')`` labels, ``H', W'`` integer
            multiples of ``H, W``.
        temperature: T (``tau`` in mmrazor); a one-element tensor that
            requires grad gets its gradient through both softmaxes.
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
    if student.dim() != 4:
        raise ValueError('CWD needs (N, C, H, W) logits, got '
                         f'{tuple(student.shape)}')
    check_inputs(student, teacher, temperature)
    _, valid = valid_mask(student, target, ignore_index)  # (N, H, W)
    dtype = student.dtype
    learned = learns_temperature(temperature)
    student = clean_invalid(student, valid, always=learned or logit_stand)
    teacher = clean_invalid(teacher.detach(), valid,
                            always=learned or logit_stand)
    if logit_stand:  # per position, over the classes (dim 1)
        student, teacher = logit_standardize(student), logit_standardize(
            teacher)
    if learned:  # as the class-axis losses: dL/dT needs float64
        student, teacher = student.double(), teacher.double()
        temperature = temperature.double().reshape(())
    else:
        temperature = float(temperature)
    N, C, H, W = student.shape
    # one row per (image, channel) map: the softmaxes run along dim 1
    a = (student / temperature).reshape(N * C, H * W)
    b = (teacher / temperature).reshape(N * C, H * W)
    a_in, b_in, images = a, b, None
    if valid is not None:
        images = valid.flatten(1).any(dim=1)  # (N,) images with V_n
        # an image with no valid position keeps all of them (any finite
        # softmax) and is dropped from the sum below
        keep = valid.flatten(1) | ~images[:, None]  # (N, H * W)
        drop = ~keep.repeat_interleave(C, dim=0)  # (N * C, H * W)
        a_in = a.masked_fill(drop, float('-inf'))
        b_in = b.masked_fill(drop, float('-inf'))
    q, lse_b = softmax_lse(b_in)  # q = 0 outside V_n
    lse_a = logsumexp(a_in)  # (N * C, 1)
    scale = temperature**2
    if reduction == 'none':
        # q_i (log q_i - log p_i) = q_i ((b_i - a_i) - (lse_b - lse_a))
        terms = q * ((b - a) - (lse_b - lse_a))  # (N * C, H * W)
        loss = terms.view(N, C, H, W).sum(dim=1) * scale  # (N, H, W)
        if images is not None:
            loss = loss * images.view(N, 1, 1).to(loss.dtype)
    else:
        kl = (lse_a - lse_b).squeeze(1) - (q * (a - b)).sum(dim=1)
        if images is not None:  # (N * C,): drop images without V_n
            kl = kl.masked_fill(~images.repeat_interleave(C), 0.)
        loss = kl.sum() * scale
        if reduction == 'mean':
            count = N if images is None else images.sum().clamp(min=1)
            loss = loss / (C * count)
        elif reduction != 'sum':
            raise ValueError(f'reduction must be none, mean or sum, got '
                             f'{reduction!r}')
    loss = loss.to(dtype)
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
