"""The thin module shared by the registered distillation losses."""
from typing import Callable, Dict, Optional, Tuple, Union

import torch.nn as nn
from torch import Tensor

from .utils import check_weights


class BaseDistillLoss(nn.Module):
    """Holds the hyperparameters of a functional loss and calls it.

    Subclasses set ``loss_fn`` (the pure-torch function) and pass their
    method weights as keyword arguments.

    Args:
        temperature: T (> 0); with ``logit_stand`` the base temperature.
        logit_stand: Z-score both logits per pixel over classes first.
        ignore_index: label of pixels to leave out (``None``: keep all).
        loss_weight: factor on the returned loss.
        loss_name: key of the loss in MMEngine's log (contains 'loss').
        **weights: the method's own non-negative weights (alpha, w0, ...).
    """
    loss_fn: Callable

    def __init__(self, temperature: float, logit_stand: bool,
                 ignore_index: Optional[int], loss_weight: float,
                 loss_name: str, **hparams) -> None:
        super().__init__()
        if not temperature > 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        check_weights(loss_weight=loss_weight, **{
            k: v
            for k, v in hparams.items() if k != 'k'
        })
        self.hparams = dict(
            hparams,
            temperature=temperature,
            logit_stand=logit_stand,
            ignore_index=ignore_index)
        self.loss_weight = loss_weight
        self.loss_name = loss_name

    def forward(
        self,
        student: Tensor,
        teacher: Tensor,
        target: Optional[Tensor] = None,
        return_parts: bool = False
    ) -> Union[Tensor, Tuple[Tensor, Dict[str, Tensor]]]:
        """Loss (times ``loss_weight``) averaged over valid pixels.

        Args:
            student: ``(N, C)`` or ``(N, C, H, W)`` student logits.
            teacher: teacher logits of the same shape (no gradient).
            target: optional labels ``(N,)`` / ``(N, H', W')`` with
                ``H', W'`` integer multiples of ``H, W``.
            return_parts: also return the unweighted sub-terms (each
                times ``T^2``), e.g. for logging.
        """
        out = type(self).loss_fn(
            student, teacher, target, return_parts=return_parts,
            **self.hparams)
        if return_parts:
            return self.loss_weight * out[0], out[1]
        return self.loss_weight * out

    def extra_repr(self) -> str:
        items = dict(self.hparams, loss_weight=self.loss_weight)
        return ', '.join(f'{k}={v}' for k, v in items.items())
