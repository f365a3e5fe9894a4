"""The dense class scores of any MMSeg segmentor, as the losses take them.

The distillation losses compare ``(N, C, h, w)`` per-pixel class scores
whose softmax over ``C`` is the model's class distribution. MMSeg's
segmentors produce them in several ways; this module is the one place
that knows them:

- ``EncoderDecoder``: the decode head's logits (a head that returns
  several maps in training mode, KNet / PIDNet / DDRNet, contributes the
  one its inference returns; see :data:`MAIN_OUTPUT`).
- ``CascadeEncoderDecoder`` (OCRNet, PointRend, any ``num_stages``): the
  logits of each stage whose output is a dense map; the final stage's are
  the prediction. PointRend's ``PointHead`` classifies sampled points
  (random, uncertainty-driven, a few thousand per image), not a map: it is
  not a dense stage, so a PointRend model is distilled on its coarse
  head's dense logits (stage 0), the map its point head refines.
- A one-channel sigmoid head (``out_channels=1``, ``num_classes=2``): its
  logit ``z`` is the two-class logits ``(0, z)``, whose softmax is
  ``(1 - sigmoid(z), sigmoid(z))``: class 1 is the foreground MMSeg
  thresholds (see :func:`two_class`).
- Mask classification (MaskFormer, Mask2Former): per-pixel class
  log-probabilities from the normalised product of mask and class
  probabilities (see :func:`mask_class_log_probs`).

``DepthEstimator`` (depth regression) and ``MultimodalEncoderDecoder``
(open-vocabulary, classes from a text encoder) have no fixed class
distribution to distil and are refused (:func:`check_segmentor`).
"""
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.decode_heads import (DDRHead, IterativeDecodeHead,
                                       Mask2FormerHead, MaskFormerHead,
                                       PIDHead, PointHead)
from mmseg.models.segmentors import (CascadeEncoderDecoder, DepthEstimator,
                                     EncoderDecoder)
from torch import Tensor

# Heads that classify masks, not pixels (their mmdet base classes are
# missing without mmdet, but these names always exist in MMSeg).
MASK_CLASSIFICATION_HEADS: Tuple[type, ...] = (MaskFormerHead,
                                               Mask2FormerHead)
# Cascade stages that classify sampled points: no dense map to distil.
POINT_HEADS: Tuple[type, ...] = (PointHead, )
# Heads whose training-mode forward returns several maps: the index of
# the one their inference-mode forward returns (KNet: the last kernel
# update; PIDNet: the integral branch; DDRNet: the context branch).
MAIN_OUTPUT: Dict[type, int] = {
    IterativeDecodeHead: -1,
    PIDHead: 1,
    DDRHead: 0,
}


def check_segmentor(model: nn.Module, role: str) -> None:
    """Raise a clear error for a model the distiller cannot read.

    Args:
        model: a built segmentor.
        role: ``'student'`` or ``'teacher'`` (for the message).

    Raises:
        TypeError: not an ``EncoderDecoder`` (or subclass), a
            ``DepthEstimator``, or a cascade with no dense stage.
    """
    name = type(model).__name__
    if isinstance(model, DepthEstimator):
        raise TypeError(
            f'the {role} is a DepthEstimator: depth regression has no '
            'class distribution to distil')
    if not isinstance(model, EncoderDecoder):
        raise TypeError(
            f'the {role} is a {name}; SegDistiller reads the logits of '
            'EncoderDecoder and CascadeEncoderDecoder segmentors (and '
            'their subclasses). MultimodalEncoderDecoder (SAN: classes '
            'from a text encoder) is not supported')
    if is_cascade(model) and not dense_stages(model):
        raise TypeError(f'the {role} cascade has no stage with a dense '
                        'output (every stage is a point head)')


def is_cascade(model: nn.Module) -> bool:
    """Whether ``model`` chains several decode heads."""
    return isinstance(model, CascadeEncoderDecoder) or isinstance(
        getattr(model, 'decode_head', None), nn.ModuleList)


def decode_heads(model: nn.Module) -> List[nn.Module]:
    """The decode heads of ``model`` in stage order (one if no cascade)."""
    head = model.decode_head
    return list(head) if isinstance(head, nn.ModuleList) else [head]


def final_head(model: nn.Module) -> nn.Module:
    """The head whose output is the prediction (a cascade's last stage):
    class counts, ignore index and threshold are read from it."""
    return decode_heads(model)[-1]


def is_point_head(head: nn.Module) -> bool:
    return isinstance(head, POINT_HEADS)


def is_mask_head(head: nn.Module) -> bool:
    return isinstance(head, MASK_CLASSIFICATION_HEADS)


def dense_stages(model: nn.Module) -> List[int]:
    """Indices of the decode stages that output a dense map: those before
    the first point head (a point head's output is points, which no later
    stage could take as a map). The last is the one distilled as the
    prediction."""
    stages = []
    for i, head in enumerate(decode_heads(model)):
        if is_point_head(head):
            break
        stages.append(i)
    return stages


def aux_heads(model: nn.Module) -> List[nn.Module]:
    """The auxiliary heads of ``model`` (none, one, or a list)."""
    heads = getattr(model, 'auxiliary_head', None)
    if heads is None:
        return []
    return list(heads) if isinstance(heads, nn.ModuleList) else [heads]


def aux_prefixes(model: nn.Module) -> List[str]:
    """MMSeg's loss prefix of each auxiliary head: ``aux`` for a single
    head, ``aux_0``, ``aux_1``... for a list."""
    heads = getattr(model, 'auxiliary_head', None)
    if isinstance(heads, nn.ModuleList):
        return [f'aux_{i}' for i in range(len(heads))]
    return [] if heads is None else ['aux']


def main_output(head: nn.Module, out) -> Tensor:
    """The ``(N, C, h, w)`` map of a head's forward output.

    Raises:
        TypeError: a head that returned several maps and is not in
            :data:`MAIN_OUTPUT`.
    """
    if isinstance(out, Tensor):
        return out
    for cls, index in MAIN_OUTPUT.items():
        if isinstance(head, cls):
            return out[index]
    raise TypeError(
        f'{type(head).__name__} returned {type(out).__name__} of '
        f'{len(out)} items in training mode; SegDistiller does not know '
        'which one is its prediction (add the head to '
        'gdkd_seg.models.distillers.seg_outputs.MAIN_OUTPUT)')


def mask_class_log_probs(cls_scores: Tensor, mask_logits: Tensor,
                         size: Sequence[int]) -> Tensor:
    """Per-pixel class log-probabilities of a mask-classification head.

    MMSeg's ``MaskFormerHead`` / ``Mask2FormerHead.predict`` score class
    ``c`` at a pixel as ``s_c = sum_q softmax(cls_q)[c] sigmoid(m_q)``
    over the ``Q`` queries (the "no object" class dropped), with the mask
    logits ``m`` resized bilinearly (``align_corners=False``) to the
    output size. These scores do not sum to 1 over ``c``; normalised,
    ``p_c = s_c / sum_c' s_c'`` is the head's class distribution. This
    returns ``log p_c``, computed by log-sum-exp (finite where ``s_c``
    underflows)::

        log s_c = logsumexp_q(log_softmax(cls_q)[c] + logsigmoid(m_q))
        log p_c = log s_c - logsumexp_c(log s_c)

    The losses take them as logits: every class-axis loss (KD, DKD,
    GDKD, GDKD3, their Z-scored LS versions) is unchanged by adding a
    per-pixel constant, so they treat ``log p`` exactly as any logits
    whose softmax is ``p``.

    Args:
        cls_scores: ``(N, Q, C + 1)`` class logits (last decoder layer).
        mask_logits: ``(N, Q, h', w')`` mask logits.
        size: the output ``(h, w)``.

    Returns:
        ``(N, C, h, w)`` log-probabilities (float32 or wider).
    """
    dtype = torch.promote_types(cls_scores.dtype, torch.float32)
    mask_logits = F.interpolate(mask_logits.to(dtype), size=tuple(size),
                                mode='bilinear', align_corners=False)
    log_cls = F.log_softmax(cls_scores.to(dtype), dim=-1)[..., :-1]
    # (N, Q, C, 1, 1) + (N, Q, 1, h, w) -> logsumexp over Q: (N, C, h, w)
    log_s = torch.logsumexp(
        log_cls[..., None, None] + F.logsigmoid(mask_logits)[:, :, None],
        dim=1)
    return log_s - torch.logsumexp(log_s, dim=1, keepdim=True)


def two_class(logits: Tensor) -> Tensor:
    """Two-class logits ``(0, z)`` of a binary map.

    A one-channel sigmoid logit ``z`` becomes ``(0, z)``, whose softmax is
    ``(1 - sigmoid(z), sigmoid(z))``. Two-channel logits ``(a, b)`` become
    ``(0, b - a)``: the same softmax, so the class-axis losses do not
    change, but CWD (a softmax over positions, per channel) sees the same
    representation on both sides; otherwise a teacher's channel 0 would
    be compared with a student's constant 0.

    Args:
        logits: ``(N, 1, ...)`` or ``(N, 2, ...)``.

    Returns:
        ``(N, 2, ...)``.
    """
    if logits.shape[1] == 2:
        logits = logits[:, 1:] - logits[:, :1]
    elif logits.shape[1] != 1:
        raise ValueError('two_class takes one- or two-channel logits, got '
                         f'{logits.shape[1]} channels')
    return torch.cat([torch.zeros_like(logits), logits], dim=1)


def match_channels(student: Tensor,
                   teacher: Tensor) -> Tuple[Tensor, Tensor]:
    """Both logits in the form the losses take (a no-op unless one side
    is a one-channel sigmoid map: then both become ``(0, z)``)."""
    if 1 in (student.shape[1], teacher.shape[1]):
        return two_class(student), two_class(teacher)
    return student, teacher
