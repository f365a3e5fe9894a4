"""What KD, DKD, GDKD and GDKD3 share: checks, scaled logits, group
log-masses, the reduction and the thin registered module. Logits are
``(N, C)`` or ``(N, C, H, W)`` (classes on dim 1), labels ``(N,)`` or
``(N, H, W)``. Plain autograd in the inputs' dtype (float32 for fp16 /
bf16, as under AMP); the loss comes back in that dtype."""
import numbers
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
from torch import Tensor

Temperature = Union[float, Tensor]

# beyond, float32 rounding (~eps T^2 log C, docs/losses.md section 11)
# swamps the KL: at T = 1e5 GDKD gave -635 for 19.6
T_MIN, T_MAX = 0.01, 100.0


def check_temperature(temperature: Temperature) -> None:
    """Raise ``ValueError`` unless ``T_MIN <= T <= T_MAX`` (a number or a
    one-element tensor, e.g. CTKD's learned T)."""
    value = temperature
    if isinstance(temperature, Tensor):
        if temperature.numel() != 1:
            raise ValueError('a temperature tensor must hold one value (a '
                             'global temperature), got shape '
                             f'{tuple(temperature.shape)}')
        value = temperature.detach().reshape(())  # compared in its dtype
    if not bool(T_MIN <= value <= T_MAX):
        raise ValueError(f'temperature must lie in [{T_MIN}, {T_MAX}], the '
                         'range where the losses keep the tolerance of '
                         f'docs/losses.md section 11; got {float(value)}')


def check_weights(**weights: float) -> None:
    """Raise ``ValueError`` for a negative loss weight."""
    for name, value in weights.items():
        if value < 0:
            raise ValueError(f'{name} must be >= 0, got {value}')


def check_k(k: int, method: str, min_k: int = 1,
            num_classes: Optional[int] = None) -> None:
    """Raise for a top-k size that is no integer (``TypeError``) or out of
    range (``ValueError``): ``min_k <= k``, and ``k < C`` once the class
    count is known (the "other" group must keep a class)."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f'{method} needs an integer k, got k={k!r}')
    if num_classes is None:
        if k < min_k:
            raise ValueError(f'{method} needs k >= {min_k}, got k={k}')
    elif not min_k <= k < num_classes:
        raise ValueError(f'{method} needs {min_k} <= k < C, got k={k} '
                         f'with C={num_classes} classes')


def check_logits(student: Tensor, teacher: Tensor) -> None:
    """Raise for logits the losses cannot take."""
    for name, logits in (('student', student), ('teacher', teacher)):
        if not logits.is_floating_point():
            raise TypeError(f'{name} logits must be floating point, got '
                            f'{logits.dtype}')
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


def logit_standardize(logits: Tensor) -> Tensor:
    """``(z - mean(z)) / (std(z) + 1e-7)`` over dim 1, unbiased std (Sun
    et al., CVPR 2024), the gradient through mean and std. Sums, as
    ``Tensor.std(dim=1)`` is ~4x slower on ``(N, C, H, W)``; a constant
    row maps to 0 (the clamp keeps the sqrt's slope finite there)."""
    centred = logits - logits.mean(dim=1, keepdim=True)
    var = centred.square().sum(dim=1, keepdim=True) / (logits.shape[1] - 1)
    std = var.clamp_min(torch.finfo(var.dtype).tiny).sqrt()  # (N, 1, ...)
    return centred / (std + 1e-7)


def scaled_logits(student: Tensor, teacher: Tensor,
                  target: Optional[Tensor], temperature: Temperature,
                  logit_stand: bool, ignore_index: Optional[int]) -> tuple:
    """``(a, b, valid, T)``: checked ``a = s / T``, ``b = t / T`` (the
    teacher detached; a learned T's gradient flows), the ``(N, ...)``
    valid pixels (``None``: all) and T as a number or 0-d tensor.
    Ignored pixels are zeroed first: garbage there (inf, NaN) reaches
    neither value nor gradient; a NaN at a valid pixel does."""
    check_logits(student, teacher)
    check_temperature(temperature)
    valid = None
    if target is not None:
        if tuple(target.shape) != student.shape[:1] + student.shape[2:]:
            raise ValueError(
                f'target of shape {tuple(target.shape)} does not match '
                f'logits of shape {tuple(student.shape)}: labels go at the '
                "logits' resolution (see SegDistiller's downsample_labels)")
        if ignore_index is not None:
            valid = target != ignore_index
    dtype = torch.promote_types(student.dtype, torch.float32)
    student, teacher = student.to(dtype), teacher.detach().to(dtype)
    if valid is not None:
        student = student.masked_fill(~valid.unsqueeze(1), 0.)
        teacher = teacher.masked_fill(~valid.unsqueeze(1), 0.)
    if logit_stand:
        student = logit_standardize(student)
        teacher = logit_standardize(teacher)
    if isinstance(temperature, Tensor):  # 0-d: keeps the logits' dtype
        temperature = temperature.reshape(())
    return student / temperature, teacher / temperature, valid, temperature


def group_log_masses(*groups: Tensor) -> Tuple[Tensor, Tensor]:
    """``(lse_U, log m_U = lse_U - lse)`` of each group, ``(N, G, ...)``.

    A group holds the logits of its classes, gathered ``(N, |U|, ...)`` or
    ``(N, C, ...)`` with ``-inf`` outside U; each is shifted by its own
    maximum, so none underflows however far below the others."""
    lse = torch.stack([group.logsumexp(dim=1) for group in groups], dim=1)
    return lse, lse - lse.logsumexp(dim=1, keepdim=True)


def finish(total: Tensor, parts: Dict[str, Tensor],
           temperature: Temperature, valid: Optional[Tensor],
           reduction: str, return_parts: bool):
    """The loss (and parts) from ``(N, ...)`` KL maps: times ``T^2``,
    clipped at 0 (only rounding goes below), 0 at ignored pixels, reduced
    by ``'mean'`` over the valid pixels of the batch (none: 0 with a zero
    gradient), ``'sum'`` or ``'none'`` (the map)."""
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f'reduction must be none, mean or sum, got '
                         f'{reduction!r}')

    def reduce(loss_map: Tensor) -> Tensor:
        loss_map = loss_map.clamp_min(0.) * temperature**2
        if valid is not None:
            loss_map = loss_map.masked_fill(~valid, 0.)
        if reduction == 'mean':
            count = (max(loss_map.numel(), 1) if valid is None else
                     valid.sum().clamp(min=1))
            loss_map = loss_map.sum() / count
        elif reduction == 'sum':
            loss_map = loss_map.sum()
        return loss_map

    if not return_parts:
        return reduce(total)
    return reduce(total), {name: reduce(part) for name, part in parts.items()}


class BaseDistillLoss(nn.Module):
    """Holds the hyperparameters of a functional loss and calls it.

    Subclasses set ``loss_fn`` (the pure-torch function) and pass their
    method weights (checked to be >= 0) and other options as keywords.

    Args:
        loss_weight: factor on the returned loss.
        loss_name: key of the loss in MMEngine's log (contains 'loss').
        temperature: T; with ``logit_stand`` the base temperature.
        weights: the method's own non-negative weights (alpha, w0, ...).
        **options: the loss function's other arguments (k, ignore_index,
            logit_stand, ...).
    """
    loss_fn = None

    def __init__(self, loss_weight: float, loss_name: str,
                 temperature: float,
                 weights: Optional[Dict[str, float]] = None,
                 **options) -> None:
        super().__init__()
        check_temperature(temperature)
        weights = weights or {}
        check_weights(loss_weight=loss_weight, **weights)
        self.hparams = dict(weights, temperature=temperature, **options)
        self.loss_weight = loss_weight
        self.loss_name = loss_name

    def check_num_classes(self, num_classes: int) -> None:
        """Raise ``ValueError`` if unusable with ``num_classes`` classes
        (the distiller asks before training)."""

    def forward(self, student: Tensor, teacher: Tensor,
                target: Optional[Tensor] = None, return_parts: bool = False,
                temperature: Optional[Temperature] = None):
        """Loss (times ``loss_weight``) averaged over valid pixels; with
        ``return_parts`` also the unweighted sub-terms (times ``T^2``).
        ``temperature`` replaces the configured T for this call (CTKD
        passes its learned one-element tensor here)."""
        hparams = self.hparams
        if temperature is not None:
            hparams = dict(hparams, temperature=temperature)
        out = type(self).loss_fn(
            student, teacher, target, return_parts=return_parts, **hparams)
        if return_parts:
            return self.loss_weight * out[0], out[1]
        return self.loss_weight * out

    def extra_repr(self) -> str:
        items = dict(self.hparams, loss_weight=self.loss_weight)
        return ', '.join(f'{k}={v}' for k, v in items.items())
