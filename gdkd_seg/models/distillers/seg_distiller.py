"""Distil a frozen MMSeg segmentor into an MMSeg segmentor."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmseg.registry import MODELS
from mmseg.utils import add_prefix
from torch import Tensor

from .base import BaseDistiller, CfgType, current_iter, load_model_cfg


def downsample_labels(labels: Tensor, size: Tuple[int, int]) -> Tensor:
    """``(N, H, W)`` labels at the logits' size ``(h, w)`` by legacy
    nearest sampling, as seg-gdkd's ``F.interpolate(mode='nearest')``:
    output pixel ``(i, j)`` reads input ``(i * H // h, j * W // w)``, for
    an integer factor the top-left pixel of each block (a strided view,
    no copy). The distiller and the analysis tools share it."""
    (H, W), (h, w) = labels.shape[1:], tuple(size)
    if (H, W) == (h, w):
        return labels
    if H % h == 0 and W % w == 0:
        return labels[:, ::H // h, ::W // w]  # (N, h, w)
    return F.interpolate(labels[:, None].float(), (h, w),
                         mode='nearest')[:, 0].to(labels.dtype)


@MODELS.register_module()
class SegDistiller(BaseDistiller):
    """Student segmentor + distillation of decode-head logits.

    The student's own losses are computed as MMSeg computes them (decode
    head and auxiliary heads); the distillation losses act on the decode
    head's logits at their native resolution (stride 8 for dilated
    ResNets) with the labels nearest-downsampled to it. Teacher logits of
    another size are bilinearly resized to the student's.

    Args:
        student: an MMSeg ``EncoderDecoder`` config.
        teacher: an MMSeg segmentor config, config file or ``mmseg::``
            path.
        teacher_ckpt: the teacher's weights (path or URL).
        distill_losses: registered loss configs applied to the logits.
        aux_distill_weight: if > 0, also distil the (first) auxiliary
            head's logits with this factor (the official GDKD
            segmentation code uses 0.4).
        warmup_iters: ramp the distillation weight as
            ``min(iter / warmup_iters, 1)``; 0 disables it.
        data_preprocessor: the student's if its config has none.
        init_cfg: MMEngine's init config.
        pretrained: ``None`` (what MMSeg's ``init_model`` sets) keeps the
            student's; a string replaces the student's ``pretrained``.
        train_cfg: set to ``None`` by ``init_model``; unused (the student
            has its own).
    """

    def __init__(self,
                 student: CfgType,
                 teacher: CfgType,
                 teacher_ckpt: Optional[str] = None,
                 distill_losses: Union[dict, Sequence[dict]] = dict(
                     type='GDKDLoss'),
                 aux_distill_weight: float = 0.0,
                 warmup_iters: int = 0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None) -> None:
        student = load_model_cfg(student)
        if student.get('decode_head') is None:
            raise ValueError(
                'student: SegDistiller distils the logits of the decode '
                "head, but the student config has no decode_head (got "
                f"{student.get('decode_head')!r})")
        super().__init__(student, teacher, teacher_ckpt, distill_losses,
                         MODELS, data_preprocessor, init_cfg, pretrained,
                         train_cfg)
        for module in self.distill_losses:
            if getattr(module, 'needs_two_views', False):
                raise ValueError(
                    f'{type(module).__name__} is for classification only '
                    '(two augmented views; its batch level would be a '
                    'pixels x pixels Gram matrix): no segmentation '
                    'version is defined')
        self.check_losses(self.student.decode_head.num_classes)
        self.aux_distill_weight = aux_distill_weight
        self.warmup_iters = warmup_iters
        if aux_distill_weight > 0 and not self.student.with_auxiliary_head:
            raise ValueError('aux_distill_weight > 0 needs an auxiliary '
                             'head in both student and teacher')

    def check_teacher(self, teacher) -> None:
        """Same classes as the student, an auxiliary head if it is
        distilled; a warning if the two normalise inputs differently."""
        s_head, t_head = self.student.decode_head, teacher.decode_head
        if s_head.num_classes != t_head.num_classes:
            raise ValueError(
                f'teacher predicts {t_head.num_classes} classes, student '
                f'{s_head.num_classes}: they must match')
        if self.aux_distill_weight > 0 and not teacher.with_auxiliary_head:
            raise ValueError('aux_distill_weight > 0 needs an auxiliary '
                             'head in both student and teacher')
        s_std = getattr(self.data_preprocessor, 'std', None)
        t_std = getattr(teacher.data_preprocessor, 'std', None)
        if s_std is not None and t_std is not None and not torch.equal(
                s_std, t_std):
            print_log('teacher and student normalise inputs differently; '
                      "the teacher is fed the student's inputs",
                      logger='current', level=30)

    # What MMSeg's inference code reads from a segmentor is the student's
    # (SegTTAModel: out_channels, decode_head.threshold; init_model:
    # decode_head.num_classes when a checkpoint has no class names).
    @property
    def decode_head(self):
        """The student's decode head."""
        return self.student.decode_head

    @property
    def out_channels(self) -> int:
        """The student's number of output channels."""
        return self.student.out_channels

    @staticmethod
    def _first(head):
        return head[0] if isinstance(head, torch.nn.ModuleList) else head

    def _heads_logits(self, model, feats: List[Tensor],
                      with_aux: bool) -> List[Tensor]:
        logits = [model.decode_head.forward(feats)]  # (N, C, h, w)
        if with_aux:
            logits.append(self._first(model.auxiliary_head).forward(feats))
        return logits

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        """Student losses (as MMSeg) + weighted distillation losses.

        Args:
            inputs: ``(N, 3, H, W)`` preprocessed images.
            data_samples: ``SegDataSample`` list with ``gt_sem_seg``.
        """
        student = self.student
        gt = torch.stack([s.gt_sem_seg.data[0] for s in data_samples])
        self._check_labels(gt)
        with_aux = self.aux_distill_weight > 0
        feats = student.extract_feat(inputs)
        s_logits = self._heads_logits(student, feats, with_aux)
        losses = add_prefix(
            student.decode_head.loss_by_feat(s_logits[0], data_samples),
            'decode')
        if student.with_auxiliary_head:
            losses.update(self._aux_losses(feats, s_logits[1:],
                                           data_samples))
        with torch.no_grad():
            t_logits = self._heads_logits(
                self.teacher, self.teacher.extract_feat(inputs), with_aux)
        weight = self.warmup_factor(self.warmup_iters, 'iter')
        weights = [weight, weight * self.aux_distill_weight]
        for i, (s, t) in enumerate(zip(s_logits, t_logits)):
            if t.shape[2:] != s.shape[2:]:
                t = F.interpolate(t, s.shape[2:], mode='bilinear',
                                  align_corners=student.align_corners)
            labels = downsample_labels(gt, s.shape[2:])  # (N, h, w)
            losses.update(self.distill(s, t, labels, weights[i],
                                       'aux.' if i else ''))
        return losses

    def _aux_losses(self, feats: List[Tensor], logits: List[Tensor],
                    data_samples: List) -> Dict[str, Tensor]:
        """The student's auxiliary losses, named as MMSeg names them.

        The first auxiliary head's logits, when already computed for
        distillation, are reused: a second forward would draw another
        dropout mask (and cost a pass), so a distilled student would no
        longer draw the random numbers of an undistilled one.
        """
        heads = self.student.auxiliary_head
        many = isinstance(heads, torch.nn.ModuleList)
        losses = {}
        for idx, head in enumerate(heads if many else [heads]):
            name = f'aux_{idx}' if many else 'aux'
            if idx == 0 and logits:
                loss = head.loss_by_feat(logits[0], data_samples)
            else:
                loss = head.loss(feats, data_samples, self.student.train_cfg)
            losses.update(add_prefix(loss, name))
        return losses

    @property
    def ignore_index(self) -> int:
        """The label the student's decode head ignores."""
        return self.student.decode_head.ignore_index

    def _check_labels(self, gt: Tensor) -> None:
        """Reject labels outside ``[0, C)`` that are not ignored, before
        they reach the losses (on GPU, cross-entropy would hit a device
        assert instead of an error saying what is wrong)."""
        num_classes = self.student.decode_head.num_classes
        bad = ((gt < 0) | (gt >= num_classes)) & (gt != self.ignore_index)
        if not bool(bad.any()):
            return
        values = torch.unique(gt[bad]).tolist()
        it = current_iter()
        at = '' if it is None else f' at iteration {it}'
        raise ValueError(
            f'labels {values[:8]}{at} are outside [0, {num_classes}) and '
            f'not the ignore index {self.ignore_index}: Cityscapes needs '
            'the *_labelTrainIds.png maps (mmseg\'s '
            'tools/dataset_converters/cityscapes.py), not labelIds; other '
            'datasets may need reduce_zero_label or a matching '
            'num_classes')
