"""Distil a frozen MMPretrain classifier into an MMPretrain classifier."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmpretrain.models.heads import DeiTClsHead
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor

from gdkd_seg.models.distillers.base import BaseDistiller, CfgType


@MODELS.register_module()
class ClsDistiller(BaseDistiller):
    """Student ``ImageClassifier`` + distillation of the head's logits.

    The training loss is

        ``ce_weight * CE(student) + min(e / W, 1) * sum(distill_losses)``

    with ``e`` the 1-indexed epoch and ``W = warmup_epochs`` (the papers'
    warm-up, ``docs/losses.md`` §1). The CE term is the student head's loss
    (its ``loss`` config, label smoothing or batch augments included)
    scaled by ``ce_weight``. The teacher sees the student's preprocessed
    inputs (resized to ``teacher_input_size`` if given); both heads'
    logits are ``(N, num_classes)``.

    Transformer students: the logits are the student head's, i.e. those
    of the class token for MMPretrain's ViT heads. A DeiT student with a
    distillation token (``DistilledVisionTransformer`` + ``DeiTClsHead``,
    off unless its config chooses them) is trained as DeiT trains it: the
    class-token head gets the CE term, the distillation-token head the
    distillation losses; prediction averages the two heads (MMPretrain's
    ``DeiTClsHead``).

    Two views (MLKD): with a two-view loss (``MLKDLoss``, alone), the
    batch must hold a weak and a strong view of every image (MMPretrain's
    ``MultiView`` transform and :class:`MultiViewClsDataPreprocessor`).
    Student and teacher run on each view separately (BatchNorm normalises
    each view with its own statistics, as the upstream trainer does), the
    CE term is ``ce_weight * (CE(weak) + CE(strong))`` (keys ``loss`` and
    ``loss_strong``) and the loss gets the four logits.

    Args:
        student: an MMPretrain ``ImageClassifier`` config.
        teacher: an ``ImageClassifier`` config, config file or
            ``mmpretrain::`` path.
        teacher_ckpt: the teacher's weights (path or URL).
        distill_losses: registered loss configs applied to the logits.
        ce_weight: factor on the student's own classification loss(es)
            (``CE_w`` of the papers: 0.1 for CIFAR KD, 1.0 for DKD/GDKD).
        warmup_epochs: ramp the distillation weight as
            ``min(epoch / warmup_epochs, 1)`` (1-indexed epochs); 0 or 1
            disables it.
        teacher_input_size: ``(h, w)`` (or one int) the teacher sees: the
            student's preprocessed batch is resized to it (bilinear, as
            the locality-guidance code feeds a CIFAR teacher 32-pixel
            images while the ViT student sees 224); ``None``: unchanged.
        data_preprocessor: the runner's top-level ``data_preprocessor``
            (MMPretrain dataset configs put normalisation there); given
            to the student unless its config has one.
        init_cfg: MMEngine's init config.
    """

    def __init__(self,
                 student: CfgType,
                 teacher: CfgType,
                 teacher_ckpt: Optional[str] = None,
                 distill_losses: Union[dict, Sequence[dict]] = dict(
                     type='KDLoss', temperature=4.0),
                 ce_weight: float = 1.0,
                 warmup_epochs: int = 0,
                 teacher_input_size: Union[int, Sequence[int], None] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if ce_weight < 0:
            raise ValueError(f'ce_weight must be >= 0, got {ce_weight}')
        if warmup_epochs < 0:
            raise ValueError(
                f'warmup_epochs must be >= 0, got {warmup_epochs}')
        if isinstance(teacher_input_size, int):
            teacher_input_size = (teacher_input_size, teacher_input_size)
        if teacher_input_size is not None:
            teacher_input_size = tuple(int(x) for x in teacher_input_size)
            if len(teacher_input_size) != 2 or min(teacher_input_size) < 1:
                raise ValueError('teacher_input_size must be a positive int '
                                 f'or (h, w), got {teacher_input_size}')
        super().__init__(student, teacher, teacher_ckpt, distill_losses,
                         MODELS, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        two_views = [getattr(m, 'needs_two_views', False)
                     for m in self.distill_losses]
        if any(two_views) and not all(two_views):
            raise ValueError(
                'a two-view loss (MLKDLoss) cannot be combined with other '
                'distillation losses: it holds its own KD terms')
        self.two_views = any(two_views)
        self.ce_weight = ce_weight
        self.warmup_epochs = warmup_epochs
        self.teacher_input_size = teacher_input_size
        # DeiT's distillation token is on when the student config puts it
        # there (DistilledVisionTransformer + DeiTClsHead)
        self.distill_token = isinstance(self.student.head, DeiTClsHead)

    def check_teacher(self, teacher) -> None:
        """Same classes as the student; a warning if the two normalise
        inputs differently."""
        s_classes = self._num_classes(self.student)
        t_classes = self._num_classes(teacher)
        if None not in (s_classes, t_classes) and s_classes != t_classes:
            raise ValueError(f'teacher predicts {t_classes} classes, '
                             f'student {s_classes}: they must match')
        s_std = getattr(self.data_preprocessor, 'std', None)
        t_std = getattr(teacher.data_preprocessor, 'std', None)
        if s_std is not None and t_std is not None and not torch.equal(
                s_std, t_std):
            print_log('teacher and student normalise inputs differently; '
                      "the teacher is fed the student's inputs",
                      logger='current', level=30)

    @staticmethod
    def _num_classes(model) -> Optional[int]:
        return getattr(getattr(model, 'head', None), 'num_classes', None)

    @staticmethod
    def _labels(data_samples: List[DataSample]) -> Tensor:
        """Hard labels ``(N,)``; the argmax of soft scores (mixup/cutmix)
        when the batch augments replaced the labels."""
        if 'gt_score' in data_samples[0]:
            return torch.stack([s.gt_score for s in data_samples]).argmax(1)
        return torch.cat([s.gt_label for s in data_samples])

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        # ImageClassifier has no ``_forward``: ask its own tensor mode
        if mode == 'tensor':
            return self.student(inputs, data_samples, mode='tensor')
        return super().forward(inputs, data_samples, mode)

    def loss(self, inputs: Union[Tensor, List[Tensor]],
             data_samples: List[DataSample]) -> Dict[str, Tensor]:
        """Student CE (times ``ce_weight``) + warmed-up distillation.

        Args:
            inputs: ``(N, 3, H, W)`` preprocessed images, or the list of
                the weak and the strong view for a two-view loss.
            data_samples: ``DataSample`` list with ``gt_label`` (or
                ``gt_score``).

        Returns:
            The student head's loss dict (its ``loss`` scaled, accuracy
            items as logged by MMPretrain; the strong view's with a
            ``_strong`` suffix), each distillation loss and its detached
            sub-terms.

        Raises:
            ValueError: two views without a two-view loss, or the reverse.
        """
        views = list(inputs) if isinstance(inputs, (list, tuple)) else [
            inputs
        ]
        if len(views) != (2 if self.two_views else 1):
            raise ValueError(
                f'{len(views)} view(s) per image, but the distillation '
                f'losses need {2 if self.two_views else 1}: a two-view '
                'loss (MLKDLoss) needs the weak and the strong view of '
                'every image, built by the MultiView pipeline and '
                'MultiViewClsDataPreprocessor of configs/cls/_base_/'
                'datasets/mlkd_*.py; other losses take one view')
        losses, s_logits, t_logits = {}, [], []
        for i, view in enumerate(views):
            ce_logits, kd_logits = self.student_logits(view)
            s_logits.append(kd_logits)
            suffix = '_strong' if i else ''
            for key, value in self.student.head._get_loss(
                    ce_logits, data_samples).items():
                if 'loss' in key:
                    value = self.ce_weight * value
                losses[key + suffix] = value
            with torch.no_grad():
                t_logits.append(self.teacher_logits(view))
        weight = self.warmup_factor(self.warmup_epochs, 'epoch')
        labels = self._labels(data_samples)
        if self.two_views:
            losses.update(self._distill_views(s_logits, t_logits, labels,
                                              weight))
        else:
            losses.update(self.distill(s_logits[0], t_logits[0], labels,
                                       weight))
        return losses

    def student_logits(self, inputs: Tensor) -> Tuple[Tensor, Tensor]:
        """The student's logits for its CE term and for distillation, each
        ``(N, C)``: the head's logits twice, or, with DeiT's distillation
        token, the class-token and the distillation-token head's."""
        head = self.student.head
        feats = self.student.extract_feat(inputs)
        if not self.distill_token:
            logits = head(feats)
            return logits, logits
        cls_token, dist_token = head.pre_logits(feats)  # (N, D) each
        return head.layers.head(cls_token), head.layers.head_dist(dist_token)

    def teacher_logits(self, inputs: Tensor) -> Tensor:
        """The teacher's ``(N, C)`` logits for the student's preprocessed
        batch, resized to ``teacher_input_size`` first if that is set."""
        size = self.teacher_input_size
        if size is not None and tuple(inputs.shape[-2:]) != size:
            inputs = F.interpolate(inputs, size=size, mode='bilinear',
                                   align_corners=False)
        return self.teacher.head(self.teacher.extract_feat(inputs))

    def _distill_views(self, s_logits: List[Tensor], t_logits: List[Tensor],
                       labels: Tensor, weight: float) -> Dict[str, Tensor]:
        """Two-view losses on ``(weak, strong)`` logits of both networks,
        in float32 as :meth:`distill`, times ``weight``."""
        s_logits = [x.float() for x in s_logits]
        t_logits = [x.float() for x in t_logits]
        out = {}
        with torch.autocast(s_logits[0].device.type, enabled=False):
            for module in self.distill_losses:
                terms = module(s_logits[0], t_logits[0], s_logits[1],
                               t_logits[1])
                out.update({k: weight * v for k, v in terms.items()})
        if self.check_finite:
            self._check_finite(out, torch.cat(s_logits), torch.cat(t_logits),
                               torch.cat([labels, labels]))
        return out
