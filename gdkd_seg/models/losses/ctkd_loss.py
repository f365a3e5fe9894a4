"""CTKD around any registered loss: the loss at the learned temperature."""
from typing import Dict, Optional, Tuple, Union

import torch.nn as nn
from mmengine.logging import MessageHub
from torch import Tensor

from gdkd_seg.registry import MODELS
from .ctkd_temperature import CTKDTemperature, ctkd_lambda


@MODELS.register_module()
class CTKDLoss(nn.Module):
    """A distillation loss evaluated at CTKD's learned temperature.

    Put in ``distill_losses`` like any loss, so that ``theta`` is a
    parameter of the distiller: the student's optimizer trains it and
    checkpoints save and resume it (``distill_losses.<i>.temperature.
    theta``)::

        dict(type='CTKDLoss', loss=dict(type='KDLoss', loss_weight=0.9),
             t_start=1.0, t_end=20.0, decay_loops=10, by='epoch')

    Every iteration the wrapped loss runs with ``T`` from
    :class:`CTKDTemperature` at the schedule's ``lambda``; its own
    ``temperature`` is not used (upstream ignores ``--kd_T`` too). Its
    ``logit_stand`` applies (CTKD + LS: Z-score, then divide by the
    learned T). The detached ``temperature`` and ``grl_lambda`` come with
    the sub-terms, so the distiller logs them every iteration.

    Args:
        loss: config of the loss that uses T (``KDLoss``, ``DKDLoss``,
            ``GDKDLoss``, ``GDKD3Loss``, ``CWDLoss``).
        t_start, t_end: ``T = t_start + t_end * sigmoid(theta)``.
        lambda_max, lambda_min: the cosine schedule's ends.
        decay_loops: steps of the schedule (upstream CIFAR-100: 10).
        by: ``'epoch'`` (classification, as upstream) or ``'iter'``
            (iteration-based segmentation: DERIVED, no upstream exists).
            Steps are 1-indexed as the runner's log prints them; outside
            a runner ``lambda = lambda_min``.
    """

    def __init__(self,
                 loss: dict,
                 t_start: float = 1.0,
                 t_end: float = 20.0,
                 lambda_max: float = 0.0,
                 lambda_min: float = -1.0,
                 decay_loops: int = 10,
                 by: str = 'epoch') -> None:
        super().__init__()
        if by not in ('epoch', 'iter'):
            raise ValueError(f"by must be 'epoch' or 'iter', got {by!r}")
        if decay_loops <= 0:
            raise ValueError(f'decay_loops must be > 0, got {decay_loops}')
        self.loss = MODELS.build(loss)
        self.temperature = CTKDTemperature(t_start, t_end)
        self.schedule = dict(loops=decay_loops, lambda_max=lambda_max,
                             lambda_min=lambda_min)
        self.by = by

    @property
    def loss_name(self) -> str:
        """The wrapped loss's log key (e.g. ``loss_gdkd``)."""
        return self.loss.loss_name

    def check_num_classes(self, num_classes: int) -> None:
        """The wrapped loss's check."""
        check = getattr(self.loss, 'check_num_classes', None)
        if check is not None:
            check(num_classes)

    def current_lambda(self) -> float:
        """The schedule's ``lambda`` at the runner's 1-indexed step."""
        step = MessageHub.get_current_instance().get_info(self.by)
        step = self.schedule['loops'] if step is None else step + 1
        return ctkd_lambda(step, **self.schedule)

    def forward(
        self,
        student: Tensor,
        teacher: Tensor,
        target: Optional[Tensor] = None,
        return_parts: bool = False
    ) -> Union[Tensor, Tuple[Tensor, Dict[str, Tensor]]]:
        """The wrapped loss at the learned T (arguments as its own)."""
        lambda_ = self.current_lambda()
        temperature = self.temperature(lambda_)  # 0-d, with gradient
        out = self.loss(student, teacher, target, return_parts=return_parts,
                        temperature=temperature)
        if not return_parts:
            return out
        loss, parts = out
        return loss, dict(parts, temperature=temperature.detach(),
                          grl_lambda=temperature.new_tensor(lambda_))

    def extra_repr(self) -> str:
        return ', '.join(f'{k}={v}' for k, v in dict(
            self.schedule, by=self.by).items())
