"""Shared maths of the logit-distillation losses.

Every loss here is a forward KL(teacher || student) between distributions
that are partitions of ``softmax(z / T)`` over the class axis ``dim=1``.
Logits are ``(N, C)`` or ``(N, C, H, W)``; labels are ``(N,)`` or
``(N, H, W)``. Group masses and conditionals are computed with log-sum-exp
over each group (never with a ``-1000`` mask or a log of summed
probabilities), so the result is finite and exact for any finite input.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

_EPS_STD = 1e-7


def logit_standardize(logits: Tensor) -> Tensor:
    """Z-score the logits per row / pixel over the class axis (dim 1).

    Uses the unbiased std with ``1e-7`` added to the std, as Sun et al.
    (CVPR 2024); gradients flow through the mean and the std.

    Args:
        logits: ``(N, C, ...)`` logits.

    Returns:
        Tensor of the same shape.
    """
    mean = logits.mean(dim=1, keepdim=True)  # (N, 1, ...)
    std = logits.std(dim=1, keepdim=True)  # unbiased, (N, 1, ...)
    return (logits - mean) / (std + _EPS_STD)


def check_inputs(student: Tensor, teacher: Tensor,
                 temperature: float) -> None:
    """Raise a clear ``ValueError`` for logits the losses cannot take."""
    if student.shape != teacher.shape:
        raise ValueError(
            'student and teacher logits must have the same shape, got '
            f'{tuple(student.shape)} and {tuple(teacher.shape)}')
    if student.dim() not in (2, 4):
        raise ValueError('logits must be (N, C) or (N, C, H, W), got '
                         f'{tuple(student.shape)}')
    if student.shape[1] < 2:
        raise ValueError('distillation needs at least 2 classes, got '
                         f'C={student.shape[1]}')
    if not temperature > 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')


def check_weights(**weights: float) -> None:
    """Raise ``ValueError`` for a negative loss weight."""
    for name, value in weights.items():
        if value < 0:
            raise ValueError(f'{name} must be >= 0, got {value}')


def resize_target(target: Tensor, size: Sequence[int]) -> Tensor:
    """Bring labels to the logits' spatial size by nearest downsampling.

    Legacy nearest interpolation by an integer factor ``s`` reads input
    pixel ``i * s``: the top-left pixel of each ``s x s`` block, which is
    what ``F.interpolate(mode='nearest')`` does in the reference code.

    Args:
        target: ``(N,)`` or ``(N, H, W)`` integer labels.
        size: the logits' spatial size ``(h, w)`` (empty for ``(N, C)``).

    Returns:
        Labels of shape ``(N, *size)``.
    """
    size = tuple(size)
    if tuple(target.shape[1:]) == size:
        return target
    if target.dim() != 3 or len(size) != 2:
        raise ValueError(f'target of shape {tuple(target.shape)} does not '
                         f'match logits of spatial size {size}')
    (H, W), (h, w) = target.shape[1:], size
    if H % h or W % w:
        raise ValueError(
            f'target size {(H, W)} is not an integer multiple of the '
            f'logits size {(h, w)}; resize the labels first')
    return target[:, ::H // h, ::W // w]  # (N, h, w)


def valid_mask(student: Tensor, target: Optional[Tensor],
               ignore_index: Optional[int]) -> Tuple[Optional[Tensor],
                                                     Optional[Tensor]]:
    """Labels at the logits' resolution and the mask of valid pixels.

    Returns:
        ``(target, valid)``; ``valid`` is ``None`` when every pixel counts.
    """
    if target is None:
        return None, None
    target = resize_target(target, student.shape[2:])
    if ignore_index is None:
        return target, None
    return target, target != ignore_index


def clean_invalid(logits: Tensor, valid: Optional[Tensor]) -> Tensor:
    """Zero the logits of ignored pixels so garbage there (inf, NaN) can
    reach neither the loss nor the gradient."""
    if valid is None:
        return logits
    return logits.masked_fill(~valid.unsqueeze(1), 0.)


def reduce_map(loss_map: Tensor, valid: Optional[Tensor],
               reduction: str) -> Tensor:
    """Mean over the valid rows / pixels of the whole batch.

    An all-ignored batch gives 0 (with zero gradient), not NaN.
    """
    if valid is not None:
        loss_map = loss_map.masked_fill(~valid, 0.)
    if reduction == 'none':
        return loss_map
    if reduction == 'sum':
        return loss_map.sum()
    if reduction != 'mean':
        raise ValueError(f'reduction must be none, mean or sum, got '
                         f'{reduction!r}')
    count = loss_map.numel() if valid is None else valid.sum().clamp(min=1)
    return loss_map.sum() / count


def partitioned_kl(a: Tensor, b: Tensor, groups: List[Tensor],
                   w_high: float, w_low: Sequence[float],
                   w_rest: float) -> Dict[str, Tensor]:
    """KL terms of a partition of the classes into index groups + the rest.

    With ``p = softmax(a)`` (student) and ``q = softmax(b)`` (teacher)
    over dim 1, the groups ``U_1..U_g`` (given by class indices) and
    ``R`` (every other class), returns the per-pixel maps::

        high  = KL(mass_q || mass_p)          over the g + 1 group masses
        low_j = KL(q | U_j  ||  p | U_j)      conditionals inside U_j
        rest  = KL(q | R    ||  p | R)

    computed from ``log m_U = lse_U - lse`` and
    ``KL(q|U || p|U) = sum_U q|U (b - a) - (lse_U(b) - lse_U(a))``, so only
    log-sum-exps of the student's logits are needed, and ``total`` is
    ``w_high * high + sum_j w_low[j] * low_j + w_rest * rest``.
    A one-class group gives exactly 0 (value and gradient).

    Args:
        a: ``(N, C, ...)`` temperature-scaled student logits.
        b: ``(N, C, ...)`` temperature-scaled teacher logits (no grad).
        groups: disjoint ``(N, k_j, ...)`` class indices; ``R`` must not
            be empty.
        w_high, w_low, w_rest: weights of the terms in ``total``.

    Returns:
        Dict with ``high``, ``low0``.., ``rest`` and ``total`` maps of
        shape ``(N, ...)``.
    """
    idx = torch.cat(groups, dim=1)  # (N, K, ...)
    in_group = torch.zeros_like(b, dtype=torch.bool).scatter_(1, idx, True)
    lse_a = a.logsumexp(dim=1)  # (N, ...)
    rest_a = a.masked_fill(in_group, float('-inf')).logsumexp(dim=1)
    with torch.no_grad():
        lse_b = b.logsumexp(dim=1)
        b_rest = b.masked_fill(in_group, float('-inf'))  # (N, C, ...)
        rest_b = b_rest.logsumexp(dim=1)  # (N, ...)
        q_rest = (b_rest - rest_b.unsqueeze(1)).exp()  # 0 inside groups

    out = {}
    log_mass_p, log_mass_q = [], []
    total = 0.
    for j, (index, w) in enumerate(zip(groups, w_low)):
        a_j, b_j = a.gather(1, index), b.gather(1, index)  # (N, k_j, ...)
        lse_aj, lse_bj = a_j.logsumexp(dim=1), b_j.logsumexp(dim=1)
        log_mass_p.append(lse_aj - lse_a)
        log_mass_q.append(lse_bj - lse_b)
        if index.shape[1] == 1:
            low = torch.zeros_like(lse_aj)
        else:
            q_j = F.softmax(b_j, dim=1)
            low = (q_j * (b_j - a_j)).sum(dim=1) - (lse_bj - lse_aj)
        out[f'low{j}'] = low
        total = total + w * low
    # sum over R only: q_rest is 0 on the groups' classes
    rest = (q_rest * (b - a)).sum(dim=1) - (rest_b - rest_a)
    log_mass_p.append(rest_a - lse_a)
    log_mass_q.append(rest_b - lse_b)
    lmp = torch.stack(log_mass_p, dim=1)  # (N, g + 1, ...)
    lmq = torch.stack(log_mass_q, dim=1)
    high = (lmq.exp() * (lmq - lmp)).sum(dim=1)  # (N, ...)
    out.update(high=high, rest=rest)
    out['total'] = total + w_high * high + w_rest * rest
    return out


def prepare_logits(student: Tensor, teacher: Tensor,
                   target: Optional[Tensor], temperature: float,
                   logit_stand: bool, ignore_index: Optional[int]
                   ) -> Tuple[Tensor, Tensor, Optional[Tensor],
                              Optional[Tensor]]:
    """Validate, mask, standardise and temperature-scale both logits.

    Returns:
        ``(a, b, target, valid)``: scaled student logits (with grad),
        scaled teacher logits (detached), labels at the logits'
        resolution (or ``None``) and the valid-pixel mask (or ``None``).
    """
    check_inputs(student, teacher, temperature)
    target, valid = valid_mask(student, target, ignore_index)
    # the teacher never receives gradient
    student, teacher = clean_invalid(student, valid), clean_invalid(
        teacher.detach(), valid)
    if logit_stand:
        student = logit_standardize(student)
        teacher = logit_standardize(teacher)
    return student / temperature, teacher / temperature, target, valid


def finish(total: Tensor, parts: Dict[str, Tensor], valid: Optional[Tensor],
           temperature: float, reduction: str, return_parts: bool):
    """Scale by ``T^2`` and reduce the loss map (and its parts)."""
    scale = temperature**2
    loss = reduce_map(total * scale, valid, reduction)
    if not return_parts:
        return loss
    return loss, {
        name: reduce_map(part * scale, valid, reduction)
        for name, part in parts.items()
    }
