"""The thin module shared by the registered distillation losses."""
from typing import Callable, Dict, Optional, Tuple, Union

import torch.nn as nn
from torch import Tensor

from .utils import Temperature, check_temperature, check_weights


class BaseDistillLoss(nn.Module):
    """Holds the hyperparameters of a functional loss and calls it.

    Subclasses set ``loss_fn`` (the pure-torch function) and pass their
    method weights (checked to be >= 0) and other options as keywords.

    Args:
        loss_weight: factor on the returned loss.
        loss_name: key of the loss in MMEngine's log (contains 'loss').
        temperature: T (> 0); with ``logit_stand`` the base temperature.
        weights: the method's own non-negative weights (alpha, w0, ...).
        **options: the loss function's other arguments (k, ignore_index,
            logit_stand, ...).
    """
    loss_fn: Callable

    def __init__(self,
                 loss_weight: float,
                 loss_name: str,
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
        """Raise ``ValueError`` if the hyperparameters cannot work with
        ``num_classes`` classes (the distiller asks before training)."""

    def forward(
        self,
        student: Tensor,
        teacher: Tensor,
        target: Optional[Tensor] = None,
        return_parts: bool = False,
        temperature: Optional[Temperature] = None
    ) -> Union[Tensor, Tuple[Tensor, Dict[str, Tensor]]]:
        """Loss (times ``loss_weight``) averaged over valid pixels.

        Args:
            student: ``(N, C)`` or ``(N, C, H, W)`` student logits.
            teacher: teacher logits of the same shape (no gradient).
            target: optional labels ``(N,)`` / ``(N, H', W')`` with
                ``H', W'`` integer multiples of ``H, W``.
            return_parts: also return the unweighted sub-terms (each
                times ``T^2``), e.g. for logging.
            temperature: replaces the configured T for this call (CTKD
                passes its learned one-element tensor here).
        """
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
