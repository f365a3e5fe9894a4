"""CTKD (Li et al., AAAI 2023): the learned global temperature.

One parameter ``theta`` sets the temperature of every distillation loss::

    T = t_start + t_end * sigmoid(GRL_lambda(theta))

``GRL_lambda`` (gradient reversal) is the identity forward and multiplies
the gradient by ``lambda`` backward. The cosine schedule takes ``lambda``
from 0 to -1, so the optimizer that minimises the loss over the student
moves ``theta`` to *raise* it (an adversarial, ever harder curriculum);
the student's own gradient does not pass through the layer. T is clamped
into the losses' range ``[T_MIN, T_MAX]`` (a no-op for upstream's
``(1, 21)``).
"""
import math

import torch
import torch.nn as nn
from torch import Tensor

from .base import T_MAX, T_MIN


class _GradientReversal(torch.autograd.Function):
    """Identity forward; backward multiplies the gradient by ``lambda_``
    (the sign comes from the schedule, as upstream: lambda <= 0)."""

    @staticmethod
    def forward(ctx, x: Tensor, lambda_: float) -> Tensor:
        ctx.lambda_ = lambda_
        return x.clone()

    @staticmethod
    def backward(ctx, grad: Tensor):
        return ctx.lambda_ * grad, None


def ctkd_lambda(step: int, loops: int, lambda_max: float = 0.0,
                lambda_min: float = -1.0) -> float:
    """CTKD's cosine schedule of the reversal factor::

        lambda(e) = lambda_min + (lambda_max - lambda_min)
                    * (1 + cos(pi * min(max(e, 0), loops) / loops)) / 2

    Args:
        step: the 1-indexed epoch (upstream, classification) or iteration
            (segmentation) the runner is at.
        loops: steps from ``lambda_max`` to ``lambda_min`` (upstream
            CIFAR-100: 10 epochs); constant ``lambda_min`` afterwards.
        lambda_max, lambda_min: the end values (upstream 0 and -1).
    """
    if loops <= 0:
        raise ValueError(f'CTKD decay loops must be > 0, got {loops}')
    progress = min(max(step, 0), loops) / loops
    return lambda_min + (lambda_max - lambda_min) * (
        1 + math.cos(math.pi * progress)) / 2


class CTKDTemperature(nn.Module):
    """``T = t_start + t_end * sigmoid(GRL_lambda(theta))``, T in
    ``(t_start, t_start + t_end)`` clamped into ``[T_MIN, T_MAX]`` (where
    the clamp acts, theta gets no gradient).

    Args:
        t_start: the lowest temperature (upstream 1).
        t_end: the width of the range (upstream 20; T0 = 1 + 20 sigmoid(1)
            = 15.62 at the initial ``theta = 1``).

    Attributes:
        theta: the learned 0-d parameter (initialised to 1.0, as
            upstream's ``global_T``); trained by the student's optimizer
            (same learning rate, momentum and weight decay, as upstream).
    """

    def __init__(self, t_start: float = 1.0, t_end: float = 20.0) -> None:
        super().__init__()
        if not t_start > 0 or not t_end > 0:
            raise ValueError(f'CTKD needs t_start > 0 and t_end > 0, got '
                             f'{t_start} and {t_end}')
        self.t_start = t_start
        self.t_end = t_end
        self.theta = nn.Parameter(torch.tensor(1.0))

    def forward(self, lambda_: float) -> Tensor:
        """The 0-d temperature; its gradient reaches ``theta`` times
        ``lambda_``."""
        theta = _GradientReversal.apply(self.theta, lambda_)
        temperature = self.t_start + self.t_end * torch.sigmoid(theta)
        return temperature.clamp(T_MIN, T_MAX)

    def extra_repr(self) -> str:
        return f't_start={self.t_start}, t_end={self.t_end}'
