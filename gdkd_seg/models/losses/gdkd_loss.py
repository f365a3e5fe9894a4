"""GDKD (Zheng & Cheng): the teacher's top-k classes vs the rest."""
from typing import Optional

from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import BaseDistillLoss
from .partition import partitioned_kl_masks, top_masks
from .utils import check_weights, finish, prepare_logits


def check_k(k: int, num_classes: int, name: str) -> None:
    """Reject a top-k that leaves the "other" group empty (NaN upstream)."""
    if not 1 <= k < num_classes:
        raise ValueError(f'{name} needs 1 <= k < C, got k={k} with '
                         f'C={num_classes} classes')


def gdkd_loss(student: Tensor,
              teacher: Tensor,
              target: Optional[Tensor] = None,
              k: int = 3,
              w0: float = 1.0,
              w1: float = 1.0,
              w2: float = 2.0,
              temperature: float = 1.0,
              logit_stand: bool = False,
              ignore_index: Optional[int] = 255,
              reduction: str = 'mean',
              return_parts: bool = False):
    """``T^2 * (w0 * high + w1 * low_top + w2 * low_other)`` per pixel.

    ``U1`` = the teacher's k largest logits, ``U2`` = the other classes;
    ``high`` is the KL of the (U1, U2) masses, ``low_top`` / ``low_other``
    the KLs of the distributions inside U1 / U2. Labels only mark ignored
    pixels. ``k=1`` is the top-1 variant (``low_top`` is exactly 0), equal
    to DKD with the teacher's argmax as the label. Other arguments as
    :func:`gdkd_seg.models.losses.kd_loss`.

    Returns:
        The loss, and with ``return_parts`` also
        ``{'high', 'low_top', 'low_other'}`` (times ``T^2``, unweighted).
    """
    check_k(k, student.shape[1], 'GDKD')
    check_weights(w0=w0, w1=w1, w2=w2)
    a, b, _, valid = prepare_logits(student, teacher, target, temperature,
                                    logit_stand, ignore_index)
    top, maximum = top_masks(b, k, valid=valid)  # [(N, C, ...)]
    t = partitioned_kl_masks(a, b, top, [k], w0, [w1], w2, maximum, valid)
    parts = dict(high=t['high'], low_top=t['low0'], low_other=t['rest'])
    return finish(t['total'], parts, valid, temperature, reduction,
                  return_parts)


@MODELS.register_module()
class GDKDLoss(BaseDistillLoss):
    """Registered GDKD loss; see :func:`gdkd_loss`."""
    loss_fn = gdkd_loss

    def __init__(self,
                 k: int = 3,
                 w0: float = 1.0,
                 w1: float = 1.0,
                 w2: float = 2.0,
                 temperature: float = 1.0,
                 logit_stand: bool = False,
                 ignore_index: Optional[int] = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_gdkd') -> None:
        if k < 1:
            raise ValueError(f'GDKD needs k >= 1, got k={k}')
        super().__init__(temperature, logit_stand, ignore_index, loss_weight,
                         loss_name, k=k, w0=w0, w1=w1, w2=w2)
