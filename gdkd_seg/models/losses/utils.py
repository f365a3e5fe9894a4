"""Shared maths of the logit-distillation losses.

Every loss here is a forward KL(teacher || student) between distributions
that are partitions of ``softmax(z / T)`` over the class axis ``dim=1``.
Logits are ``(N, C)`` or ``(N, C, H, W)``; labels are ``(N,)`` or
``(N, H, W)``. This module validates, masks, standardises, scales and
reduces; the partition kernel (group masses and conditionals by
log-sum-exp, never a ``-1000`` mask or a log of summed probabilities) is
in ``partition.py``.
"""
from typing import Dict, Optional, Sequence, Tuple

import torch
from torch import Tensor

_EPS_STD = 1e-7


class _Standardize(torch.autograd.Function):
    """Z-score over dim 1, divided by ``temperature``, with the backward
    written out (four passes over the map instead of about ten)::

        z = c / D,  c = x - mean(x),  D = (std(x) + 1e-7) T
        dL/dx = (g - mean(g)) / D - c T sum(g c) / (D^2 (C - 1) std)
    """

    @staticmethod
    def forward(ctx, x: Tensor, temperature: float) -> Tensor:
        num_classes = x.shape[1]
        centred = x - x.sum(dim=1, keepdim=True) / num_classes
        var = (centred * centred).sum(dim=1, keepdim=True)
        var /= num_classes - 1  # unbiased
        # below `tiny` (a constant row, e.g. a zeroed ignored pixel) the
        # value is unchanged next to the 1e-7 and the slope of the std is
        # taken as 0, where sqrt's infinite slope would give NaN
        tiny = torch.finfo(x.dtype).tiny
        std = var.clamp_min(tiny).sqrt()  # (N, 1, ...)
        scale = (std + _EPS_STD) * temperature
        ctx.temperature = temperature
        ctx.save_for_backward(centred, std, scale, var >= tiny)
        return centred / scale

    @staticmethod
    def backward(ctx, grad: Tensor):
        centred, std, scale, sloped = ctx.saved_tensors
        num_classes = grad.shape[1]
        grad_mean = grad.sum(dim=1, keepdim=True) / num_classes
        grad_dot = (grad * centred).sum(dim=1, keepdim=True)
        coef = grad_dot * ctx.temperature / (
            scale * scale * (num_classes - 1) * std) * sloped
        grad_x = (grad - grad_mean).div_(scale)
        return grad_x.addcmul_(centred, coef, value=-1), None


def _standardize(logits: Tensor, temperature: float = 1.0) -> Tensor:
    """Z-score over dim 1 and divide by ``temperature``.

    The mean and the unbiased variance are plain sums over the class axis:
    ``Tensor.std(dim=1)`` is several times slower on ``(N, C, H, W)`` maps
    (its Welford reduction does not vectorise over the pixels).
    """
    return _Standardize.apply(logits, temperature)


def logit_standardize(logits: Tensor) -> Tensor:
    """Z-score the logits per row / pixel over the class axis (dim 1).

    Uses the unbiased std with ``1e-7`` added to the std, as Sun et al.
    (CVPR 2024); gradients flow through the mean and the std.

    Args:
        logits: ``(N, C, ...)`` logits.

    Returns:
        Tensor of the same shape.
    """
    return _standardize(logits)


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


class _ZeroInvalid(torch.autograd.Function):
    """``x`` with the ignored pixels set to 0, whatever they held.

    Valid pixels are left as they are: a NaN/inf there must surface in the
    loss (the distiller stops on it), not be silently zeroed. The backward
    is one multiply by the 0 / 1 mask.
    """

    @staticmethod
    def forward(ctx, x: Tensor, keep: Tensor) -> Tensor:
        ctx.save_for_backward(keep)
        return x.masked_fill(keep == 0, 0.)

    @staticmethod
    def backward(ctx, grad: Tensor):
        keep, = ctx.saved_tensors
        return grad * keep, None


def clean_invalid(logits: Tensor, valid: Optional[Tensor],
                  always: bool = False) -> Tensor:
    """Zero the logits of ignored pixels when they hold inf or NaN.

    Finite values at ignored pixels need no cleaning: the kernels give
    those pixels 0 (value and gradient) with masks, not multiplications.
    One sum detects a non-finite value (or an overflow, which cleans
    needlessly but safely); ``always`` cleans regardless (before the
    Z-score, which would spread a huge value over its row).
    """
    if valid is None or (not always and torch.isfinite(logits.sum())):
        return logits
    keep = valid.unsqueeze(1).to(logits.dtype)  # (N, 1, ...)
    if logits.requires_grad:
        return _ZeroInvalid.apply(logits, keep)
    return logits.masked_fill(keep == 0, 0.)


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


def logsumexp(x: Tensor) -> Tensor:
    """``log sum_i exp(x_i)`` over dim 1 (kept); ``-inf`` entries add 0.

    Shifting by the detached maximum is exact, and autograd's backward is a
    single multiply by the saved exponentials, where ``torch.logsumexp``
    recomputes them (two more passes over the tensor).
    """
    shift = x.detach().amax(dim=1, keepdim=True)  # (N, 1, ...)
    return shift + (x - shift).exp().sum(dim=1, keepdim=True).log()


@torch.no_grad()
def softmax_lse(x: Tensor) -> Tuple[Tensor, Tensor]:
    """``(softmax(x), logsumexp(x))`` over dim 1 (kept), without grad.

    ``-inf`` entries get probability 0; one exponential serves both.
    """
    shift = x.amax(dim=1, keepdim=True)  # (N, 1, ...)
    probs = (x - shift).exp_()  # (N, C, ...)
    total = probs.sum(dim=1, keepdim=True)
    return probs.div_(total), shift + total.log()


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
    student = clean_invalid(student, valid, always=logit_stand)
    teacher = clean_invalid(teacher.detach(), valid, always=logit_stand)
    if logit_stand:
        return (_standardize(student, temperature),
                _standardize(teacher, temperature), target, valid)
    if temperature != 1:  # skip a pass over both maps at T = 1
        student, teacher = student / temperature, teacher / temperature
    return student, teacher, target, valid


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
