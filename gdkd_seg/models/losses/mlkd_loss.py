"""MLKD (Jin et al., CVPR 2023): multi-level logit distillation.

Instance, class and batch levels, each summed over five temperatures, on
a weak and a strong augmented view of the same images. Classification
only: the batch level compares ``B x B`` Gram matrices, which has no
bounded per-pixel analogue (a ``P x P`` matrix over the pixels of a
batch), so the segmentation distiller refuses this loss.

Upstream: ``mdistiller/distillers/KD_ours.py`` of
Jin-Ying/Multi-Level-Logit-Distillation @ 5ee473f (lines 13-47 for the
three levels, 89-255 for the distiller); the logit-standardization repo
(sunshangquan/logit-standardization-KD @ f6e5aa5, ``MLKD.py``) adds the
Z-score to the instance level only.
"""
from typing import Dict, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from gdkd_seg.registry import MODELS
from .base import check_logits, check_temperature, logit_standardize

# Every MLKD sum runs over [T, 3, 5, 2, 6] (KD_ours.py 115-140); with the
# LS repo's T = 2 the value 2 is counted twice, as upstream does.
EXTRA_TEMPERATURES = (3.0, 5.0, 2.0, 6.0)
VARIANTS = ('published', 'intent')


def _prepare(student: Tensor, teacher: Tensor,
             temperature: float) -> Tuple[Tensor, Tensor]:
    """Checked ``(B, C)`` logits, fp16 / bf16 raised to float32 (as the
    other losses); the teacher detached."""
    check_logits(student, teacher)
    check_temperature(temperature)
    if student.dim() != 2:
        raise ValueError(
            'MLKD is defined for (B, C) classification logits, got '
            f'{tuple(student.shape)} (no per-pixel version exists)')
    if student.shape[0] == 0:
        raise ValueError('MLKD needs a batch of at least one sample (its '
                         'masks take medians over the batch), got B=0')
    dtype = torch.promote_types(student.dtype, torch.float32)
    return student.to(dtype), teacher.detach().to(dtype)


def mlkd_instance(student: Tensor,
                  teacher: Tensor,
                  temperature: float,
                  logit_stand: bool = False,
                  reduction: str = 'mean') -> Tensor:
    """Instance level: ``T^2 * KL(softmax(t/T) || softmax(s/T))`` per row.

    Args:
        student: ``(B, C)`` student logits.
        teacher: ``(B, C)`` teacher logits (never gets gradient).
        temperature: T.
        logit_stand: Z-score both logits per row first (the LS repo's
            ``normalize``: unbiased std, ``1e-7`` added to it).
        reduction: ``'mean'`` over the rows (upstream ``reduce=True``),
            ``'sum'``, or ``'none'`` for the ``(B,)`` vector (upstream
            ``reduce=False``).
    """
    s, t = _prepare(student, teacher, temperature)
    if logit_stand:
        s, t = logit_standardize(s), logit_standardize(t)
    log_p = torch.log_softmax(s / temperature, dim=1)  # (B, C)
    q = torch.softmax(t / temperature, dim=1)
    # kl_div takes 0 log 0 = 0 where the teacher's probability underflows
    kl = F.kl_div(log_p, q, reduction='none').sum(dim=1)  # (B,)
    return _reduce(kl * temperature**2, reduction, ('mean', 'sum', 'none'))


def mlkd_class(student: Tensor,
               teacher: Tensor,
               temperature: float,
               reduction: str = 'sum') -> Tensor:
    """Class level: ``||Pt' Pt - Ps' Ps||_F^2 / C`` with ``P`` the
    ``(B, C)`` row softmax at T (no ``T^2``; the ``C x C`` Gram sums over
    the batch, so the value grows like ``B^2``).

    Args:
        reduction: ``'sum'`` (upstream ``reduce=True``) or ``'none'`` for
            the ``(C, C)`` map of squared differences over ``C``.
    """
    s, t = _prepare(student, teacher, temperature)
    p_s = torch.softmax(s / temperature, dim=1)  # (B, C)
    p_t = torch.softmax(t / temperature, dim=1)
    diff = p_t.T @ p_t - p_s.T @ p_s  # (C, C)
    return _gram_reduce(diff, s.shape[1], reduction)


def mlkd_batch(student: Tensor,
               teacher: Tensor,
               temperature: float,
               reduction: str = 'sum') -> Tensor:
    """Batch level: ``||Pt Pt' - Ps Ps'||_F^2 / B`` with ``P`` the
    ``(B, C)`` row softmax at T (no ``T^2``; grows like ``B``).

    Args:
        reduction: ``'sum'`` (upstream ``reduce=True``) or ``'none'`` for
            the ``(B, B)`` map of squared differences over ``B``.
    """
    s, t = _prepare(student, teacher, temperature)
    p_s = torch.softmax(s / temperature, dim=1)  # (B, C)
    p_t = torch.softmax(t / temperature, dim=1)
    diff = p_t @ p_t.T - p_s @ p_s.T  # (B, B)
    return _gram_reduce(diff, s.shape[0], reduction)


def _reduce(values: Tensor, reduction: str, allowed: Tuple[str, ...]):
    if reduction not in allowed:
        raise ValueError(f'reduction must be one of {allowed}, got '
                         f'{reduction!r}')
    if reduction == 'mean':
        return values.mean()
    return values.sum() if reduction == 'sum' else values


def _gram_reduce(diff: Tensor, size: int, reduction: str) -> Tensor:
    # sum before dividing, as upstream: the same float32 rounding
    return _reduce(diff.square(), reduction, ('sum', 'none')) / size


@torch.no_grad()
def confidence_masks(teacher_weak: Tensor) -> Tuple[Tensor, Tensor]:
    """The teacher's low-confidence samples and classes (KD_ours.py
    98-111): ``max_c softmax(t)_b <= median_b`` and
    ``sum_b softmax(t)_c <= median_c``, on the raw weak-view logits at
    T = 1. Ties at the median are all kept.

    Returns:
        ``(sample_mask (B,), class_mask (C,))``, boolean.
    """
    # float32 at least: torch.quantile takes no fp16 / bf16
    dtype = torch.promote_types(teacher_weak.dtype, torch.float32)
    probs = torch.softmax(teacher_weak.detach().to(dtype), dim=1)  # (B, C)
    conf = probs.amax(dim=1)  # (B,)
    # torch.quantile interpolates linearly, as np.percentile upstream,
    # without the host sync of a numpy round trip
    sample = conf <= torch.quantile(conf, 0.5)
    class_conf = probs.sum(dim=0)  # (C,)
    return sample, class_conf <= torch.quantile(class_conf, 0.5)


def mlkd_loss(student_weak: Tensor,
              teacher_weak: Tensor,
              student_strong: Tensor,
              teacher_strong: Tensor,
              temperature: float = 4.0,
              kd_weight: float = 0.9,
              logit_stand: bool = False,
              variant: str = 'published') -> Dict[str, Tensor]:
    """The three MLKD losses of one step (the CE terms are the
    distiller's).

    With ``Ts = [temperature, 3, 5, 2, 6]``, ``w = kd_weight``, ``m`` the
    sample mask and ``mc`` the class mask (:func:`confidence_masks`),
    ``variant='published'`` computes what ``KD_ours.forward_train``
    returns, defects included:

    * ``kd = sum_Ts w kd(weak) * mean(m) + sum_{T,3,5} w kd(strong)
      + sum_{2,6} w kd(weak)``: the masks multiply already-reduced
      scalars, so they rescale by the kept fraction (about 0.5) instead
      of selecting; the strong sum's T = 2, 6 terms use the weak logits;
    * ``cc = sum_Ts w cc(weak) * mean(mc)``, ``bc = sum_Ts w bc(weak) *
      mean(m)``: the strong class/batch terms upstream computes are
      dropped.

    ``variant='intent'`` (DERIVED: what the commented-out
    ``reduce=False`` and the dropped terms point to) masks the unreduced
    terms before upstream's reduction (rows of the instance vector;
    columns of the ``C x C`` / ``B x B`` maps, as upstream's broadcasting
    would), uses the strong logits at all five temperatures and keeps the
    strong class (unmasked) and batch (sample-masked) terms.

    Only the instance level is standardised with ``logit_stand``; the
    class/batch levels and the masks use the raw logits (LS repo).

    Returns:
        ``dict(loss_mlkd_kd, loss_mlkd_cc, loss_mlkd_bc)``.
    """
    if variant not in VARIANTS:
        raise ValueError(f'variant must be one of {VARIANTS}, got '
                         f'{variant!r}')
    for logits in (teacher_weak, student_strong, teacher_strong):
        if logits.shape != student_weak.shape:
            raise ValueError(
                'the four MLKD logits must have one shape, got '
                f'{tuple(student_weak.shape)} and {tuple(logits.shape)}')
    _prepare(student_weak, teacher_weak, temperature)  # the checks
    temps = (temperature, *EXTRA_TEMPERATURES)
    sample, cls = confidence_masks(teacher_weak)
    weak, strong = (student_weak, teacher_weak), (student_strong,
                                                  teacher_strong)

    def inst(view, t, reduction='mean'):
        return mlkd_instance(*view, t, logit_stand, reduction)

    if variant == 'published':
        kept, kept_cls = sample.float().mean(), cls.float().mean()
        kd = sum(inst(weak, t) * kept for t in temps)
        kd = kd + sum(inst(strong, t) for t in temps[:3])
        kd = kd + sum(inst(weak, t) for t in temps[3:])
        cc = sum(mlkd_class(*weak, t) * kept_cls for t in temps)
        bc = sum(mlkd_batch(*weak, t) * kept for t in temps)
    else:
        kd = sum((inst(weak, t, 'none') * sample).mean() +
                 inst(strong, t) for t in temps)
        cc = sum((mlkd_class(*weak, t, 'none') * cls).sum() +
                 mlkd_class(*strong, t) for t in temps)
        bc = sum(((mlkd_batch(*weak, t, 'none') +
                   mlkd_batch(*strong, t, 'none')) * sample).sum()
                 for t in temps)
    return dict(loss_mlkd_kd=kd_weight * kd,
                loss_mlkd_cc=kd_weight * cc,
                loss_mlkd_bc=kd_weight * bc)


@MODELS.register_module()
class MLKDLoss(nn.Module):
    """Registered MLKD; see :func:`mlkd_loss`.

    It takes the weak and the strong view's logits, so only
    :class:`~gdkd_seg.models.distillers.ClsDistiller` fed two views
    (``MultiView`` pipeline) can use it, and not with other losses.

    Args:
        temperature: the configured T (the first of ``[T, 3, 5, 2, 6]``).
        kd_weight: ``w`` on every KD, class and batch term.
        logit_stand: Z-score the instance level's logits.
        variant: ``'published'`` (upstream's code, its defects included:
            the published numbers come from it) or ``'intent'``.
    """

    needs_two_views = True
    loss_names = ('loss_mlkd_kd', 'loss_mlkd_cc', 'loss_mlkd_bc')

    def __init__(self,
                 temperature: float = 4.0,
                 kd_weight: float = 0.9,
                 logit_stand: bool = False,
                 variant: str = 'published') -> None:
        super().__init__()
        check_temperature(temperature)
        if kd_weight < 0:
            raise ValueError(f'kd_weight must be >= 0, got {kd_weight}')
        if variant not in VARIANTS:
            raise ValueError(f'variant must be one of {VARIANTS}, got '
                             f'{variant!r}')
        self.temperature = temperature
        self.kd_weight = kd_weight
        self.logit_stand = logit_stand
        self.variant = variant

    def forward(self, student_weak: Tensor, teacher_weak: Tensor,
                student_strong: Tensor,
                teacher_strong: Tensor) -> Dict[str, Tensor]:
        """``dict(loss_mlkd_kd, loss_mlkd_cc, loss_mlkd_bc)`` from
        ``(B, C)`` logits of both networks on both views."""
        return mlkd_loss(student_weak, teacher_weak, student_strong,
                         teacher_strong, temperature=self.temperature,
                         kd_weight=self.kd_weight,
                         logit_stand=self.logit_stand, variant=self.variant)

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, kd_weight='
                f'{self.kd_weight}, logit_stand={self.logit_stand}, '
                f'variant={self.variant!r}')
