"""Shared maths of the logit-distillation losses.

Every class-axis loss here is a forward KL(teacher || student) between
distributions that are partitions of ``softmax(z / T)`` over ``dim=1``.
Logits are ``(N, C)`` or ``(N, C, H, W)``; labels are ``(N,)`` or
``(N, H, W)``. This module validates, masks, standardises, scales and
reduces; the partition kernel (group masses and conditionals by
log-sum-exp, never a ``-1000`` mask or a log of summed probabilities) is
in ``partition.py``.

The temperature is a number, or a one-element tensor (CTKD's learned
temperature). When that tensor takes a gradient, the losses differentiate
the teacher's softmax as well and compute in float64: ``dL/dT`` is some
1e3 times smaller than ``L`` at ``T ~ 15`` (the ``T^2`` factor and the
softened distributions nearly cancel), which float32 would not resolve.
"""
from typing import Dict, NamedTuple, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

Temperature = Union[float, Tensor]

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


# ----------------------------------------------------------------------
# argument checks (each check lives here and nowhere else)
# ----------------------------------------------------------------------
def check_temperature(temperature: Temperature) -> None:
    """Raise ``ValueError`` unless T > 0 (a number or a one-element
    tensor: a learned global temperature)."""
    value = temperature
    if isinstance(temperature, Tensor):
        if temperature.numel() != 1:
            raise ValueError('a temperature tensor must hold one value (a '
                             'global temperature), got shape '
                             f'{tuple(temperature.shape)}')
        value = float(temperature.detach())
    if not value > 0:
        raise ValueError(f'temperature must be > 0, got {value}')


def check_inputs(student: Tensor, teacher: Tensor,
                 temperature: Temperature) -> None:
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
    check_temperature(temperature)


def check_weights(**weights: float) -> None:
    """Raise ``ValueError`` for a negative loss weight."""
    for name, value in weights.items():
        if value < 0:
            raise ValueError(f'{name} must be >= 0, got {value}')


def check_k(k: int, method: str, min_k: int = 1,
            num_classes: Optional[int] = None) -> None:
    """Raise ``ValueError`` for a top-k size ``k`` out of range.

    ``min_k <= k`` always; once the class count is known also ``k < C``:
    the "other" group must keep a class (upstream gives NaN otherwise).
    """
    if num_classes is None:
        if k < min_k:
            raise ValueError(f'{method} needs k >= {min_k}, got k={k}')
    elif not min_k <= k < num_classes:
        raise ValueError(f'{method} needs {min_k} <= k < C, got k={k} '
                         f'with C={num_classes} classes')


def learns_temperature(temperature: Temperature) -> bool:
    """Whether T is a tensor that takes a gradient in this call."""
    return (isinstance(temperature, Tensor) and temperature.requires_grad
            and torch.is_grad_enabled())


# ----------------------------------------------------------------------
# labels and ignored pixels
# ----------------------------------------------------------------------
def downsample_labels(labels: Tensor,
                      size: Sequence[int],
                      exact_multiple: bool = True) -> Tensor:
    """Labels at the logits' spatial size by legacy nearest sampling.

    Output pixel ``(i, j)`` reads input pixel ``(i * H // h, j * W // w)``,
    as ``F.interpolate(mode='nearest')`` in the reference code; for an
    integer factor ``s`` that is the top-left pixel of each ``s x s``
    block, taken as a strided view (no copy). This is the one place where
    labels are brought to the logits (losses, distiller, analysis).

    Args:
        labels: ``(N,)`` or ``(N, H, W)`` integer labels.
        size: the logits' spatial size ``(h, w)`` (empty for ``(N, C)``).
        exact_multiple: raise unless ``H, W`` are integer multiples of
            ``h, w`` (the losses); ``False`` accepts any size (the
            distiller, whose crops may not divide by the stride).

    Returns:
        Labels of shape ``(N, *size)``.
    """
    size = tuple(size)
    if tuple(labels.shape[1:]) == size:
        return labels
    if labels.dim() != 3 or len(size) != 2:
        raise ValueError(f'labels of shape {tuple(labels.shape)} do not '
                         f'match logits of spatial size {size}')
    (H, W), (h, w) = labels.shape[1:], size
    if H % h == 0 and W % w == 0:
        return labels[:, ::H // h, ::W // w]  # (N, h, w)
    if exact_multiple:
        raise ValueError(
            f'label size {(H, W)} is not an integer multiple of the '
            f'logits size {(h, w)}; resize the labels first')
    return F.interpolate(labels[:, None].float(), size,
                         mode='nearest')[:, 0].to(labels.dtype)


def valid_mask(student: Tensor, target: Optional[Tensor],
               ignore_index: Optional[int]) -> Tuple[Optional[Tensor],
                                                     Optional[Tensor]]:
    """Labels at the logits' resolution and the mask of valid pixels.

    Returns:
        ``(target, valid)``; ``valid`` is ``None`` when every pixel counts.
    """
    if target is None:
        return None, None
    target = downsample_labels(target, student.shape[2:])
    if ignore_index is None:
        return target, None
    return target, target != ignore_index


def clean_invalid(logits: Tensor, valid: Optional[Tensor],
                  always: bool = False) -> Tensor:
    """Zero the logits of ignored pixels when they hold inf or NaN.

    Finite values at ignored pixels need no cleaning: the kernels give
    those pixels 0 (value and gradient) with masks, not multiplications.
    One sum detects a non-finite value (or an overflow, which cleans
    needlessly but safely); ``always`` cleans regardless (before the
    Z-score, which would spread a huge value over its row). Valid pixels
    are left alone: a NaN there must reach the loss. ``masked_fill``'s
    backward zeroes the gradient of the filled pixels, nothing else.
    """
    if valid is None or (not always and torch.isfinite(logits.sum())):
        return logits
    return logits.masked_fill(~valid.unsqueeze(1), 0.)  # (N, C, ...)


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


# ----------------------------------------------------------------------
# softmax pieces
# ----------------------------------------------------------------------
def logsumexp(x: Tensor) -> Tensor:
    """``log sum_i exp(x_i)`` over dim 1 (kept); ``-inf`` entries add 0.

    Shifting by the detached maximum is exact, and autograd's backward is a
    single multiply by the saved exponentials, where ``torch.logsumexp``
    recomputes them (two more passes over the tensor).
    """
    shift = x.detach().amax(dim=1, keepdim=True)  # (N, 1, ...)
    return shift + (x - shift).exp().sum(dim=1, keepdim=True).log()


def softmax_lse(x: Tensor) -> Tuple[Tensor, Tensor]:
    """``(softmax(x), logsumexp(x))`` over dim 1 (kept).

    Without a gradient (the teacher at a fixed T) one exponential serves
    both, in place; with one (a learned T) plain autograd. ``-inf``
    entries get probability 0.
    """
    if x.requires_grad and torch.is_grad_enabled():
        return x.softmax(dim=1), logsumexp(x)
    with torch.no_grad():
        shift = x.amax(dim=1, keepdim=True)  # (N, 1, ...)
        probs = (x - shift).exp_()  # (N, C, ...)
        total = probs.sum(dim=1, keepdim=True)
        return probs.div_(total), shift + total.log()


# ----------------------------------------------------------------------
# the path every class-axis loss shares
# ----------------------------------------------------------------------
class Scaled(NamedTuple):
    """Both logits divided by T, and what the reduction needs."""
    student: Tensor  # a = s / T, with gradient
    teacher: Tensor  # b = t / T; a gradient only through a learned T
    target: Optional[Tensor]  # labels at the logits' resolution
    valid: Optional[Tensor]  # (N, ...) bool, or None: every pixel counts
    temperature: Temperature  # float, or a float64 0-d tensor (learned)
    dtype: torch.dtype  # of the inputs: the loss comes back in it


def prepare_logits(student: Tensor, teacher: Tensor,
                   target: Optional[Tensor], temperature: Temperature,
                   logit_stand: bool, ignore_index: Optional[int]) -> Scaled:
    """Validate, mask, standardise and temperature-scale both logits.

    The teacher never receives gradient; with a learned T (a tensor that
    requires grad) ``b = t / T`` carries T's, and everything is float64.
    """
    check_inputs(student, teacher, temperature)
    target, valid = valid_mask(student, target, ignore_index)
    dtype = student.dtype
    if learns_temperature(temperature):
        # every pixel goes through plain autograd then: clean ignored
        # pixels always, so no garbage enters a backward (0 * inf)
        student = clean_invalid(student, valid, always=True).double()
        teacher = clean_invalid(teacher.detach(), valid,
                                always=True).double()
        temperature = temperature.double().reshape(())
        if logit_stand:
            student, teacher = _standardize(student), _standardize(teacher)
        return Scaled(student / temperature, teacher / temperature, target,
                      valid, temperature, dtype)
    temperature = float(temperature)  # a tensor without grad: its value
    student = clean_invalid(student, valid, always=logit_stand)
    teacher = clean_invalid(teacher.detach(), valid, always=logit_stand)
    if logit_stand:
        return Scaled(_standardize(student, temperature),
                      _standardize(teacher, temperature), target, valid,
                      temperature, dtype)
    if temperature != 1:  # skip a pass over both maps at T = 1
        student, teacher = student / temperature, teacher / temperature
    return Scaled(student, teacher, target, valid, temperature, dtype)


def finish(total: Tensor, parts: Dict[str, Tensor], scaled: Scaled,
           reduction: str, return_parts: bool):
    """Scale the per-pixel maps by ``T^2`` and reduce them over the valid
    pixels (in the inputs' dtype)."""
    scale = scaled.temperature**2

    def reduce(loss_map: Tensor) -> Tensor:
        return reduce_map(loss_map * scale, scaled.valid,
                          reduction).to(scaled.dtype)

    if not return_parts:
        return reduce(total)
    return reduce(total), {name: reduce(part) for name, part in parts.items()}
