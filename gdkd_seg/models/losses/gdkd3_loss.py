"""GDKD3: the teacher's top-1 / ranks 2..k / the rest."""
from typing import Optional

from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import BaseDistillLoss
from .gdkd_loss import check_k
from .partition import partitioned_kl_masks, top_masks
from .utils import check_weights, finish, prepare_logits


def gdkd3_loss(student: Tensor,
               teacher: Tensor,
               target: Optional[Tensor] = None,
               k: int = 4,
               w0: float = 1.0,
               w1: float = 1.0,
               w2: float = 8.0,
               temperature: float = 1.0,
               logit_stand: bool = False,
               ignore_index: Optional[int] = 255,
               reduction: str = 'mean',
               return_parts: bool = False):
    """``T^2 * (w0 * high + w1 * low_top2k + w2 * low_other)`` per pixel.

    ``high`` is the KL of the 3 masses (top-1, ranks 2..k, rest);
    ``low_top2k`` / ``low_other`` the KLs inside ranks 2..k / the rest
    (a one-class top-1 group has no inner term). Needs ``2 <= k < C``.
    Other arguments as :func:`gdkd_seg.models.losses.kd_loss`.

    Returns:
        The loss, and with ``return_parts`` also
        ``{'high', 'low_top2k', 'low_other'}`` (times ``T^2``).
    """
    check_k(k, student.shape[1], 'GDKD3')
    if k < 2:
        raise ValueError(f'GDKD3 needs k >= 2, got k={k}')
    check_weights(w0=w0, w1=w1, w2=w2)
    a, b, _, valid = prepare_logits(student, teacher, target, temperature,
                                    logit_stand, ignore_index)
    groups, maximum = top_masks(b, k, split_top1=True,
                                valid=valid)  # 2 x (N, C, ...)
    t = partitioned_kl_masks(a, b, groups, [1, k - 1], w0, [0., w1], w2,
                             maximum, valid)
    parts = dict(high=t['high'], low_top2k=t['low1'], low_other=t['rest'])
    return finish(t['total'], parts, valid, temperature, reduction,
                  return_parts)


@MODELS.register_module()
class GDKD3Loss(BaseDistillLoss):
    """Registered GDKD3 loss; see :func:`gdkd3_loss`."""
    loss_fn = gdkd3_loss

    def __init__(self,
                 k: int = 4,
                 w0: float = 1.0,
                 w1: float = 1.0,
                 w2: float = 8.0,
                 temperature: float = 1.0,
                 logit_stand: bool = False,
                 ignore_index: Optional[int] = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_gdkd3') -> None:
        if k < 2:
            raise ValueError(f'GDKD3 needs k >= 2, got k={k}')
        super().__init__(temperature, logit_stand, ignore_index, loss_weight,
                         loss_name, k=k, w0=w0, w1=w1, w2=w2)
