"""Distil a frozen MMPretrain classifier into an MMPretrain classifier."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.logging import print_log
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor

from .base import BaseDistiller, CfgType, load_model_cfg


@MODELS.register_module()
class ClsDistiller(BaseDistiller):
    """Student ``ImageClassifier`` + distillation of the head's logits.

    The training loss is

        ``ce_weight * CE(student) + min(e / W, 1) * sum(distill_losses)``

    with ``e`` the 1-indexed epoch and ``W = warmup_epochs`` (the papers'
    warm-up, ``losses.md`` §3). The CE term is the student head's own loss
    (its ``loss`` config, label smoothing or batch augments included)
    scaled by ``ce_weight``. The teacher sees the student's preprocessed
    inputs; both heads' logits are ``(N, num_classes)``.

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
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if ce_weight < 0:
            raise ValueError(f'ce_weight must be >= 0, got {ce_weight}')
        if warmup_epochs < 0:
            raise ValueError(
                f'warmup_epochs must be >= 0, got {warmup_epochs}')
        student = load_model_cfg(student)
        if data_preprocessor is not None:
            student.setdefault('data_preprocessor', data_preprocessor)
        super().__init__(student, teacher, teacher_ckpt, distill_losses,
                         MODELS, init_cfg=init_cfg)
        self.ce_weight = ce_weight
        self.warmup_epochs = warmup_epochs

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

    def loss(self, inputs: Tensor,
             data_samples: List[DataSample]) -> Dict[str, Tensor]:
        """Student CE (times ``ce_weight``) + warmed-up distillation.

        Args:
            inputs: ``(N, 3, H, W)`` preprocessed images.
            data_samples: ``DataSample`` list with ``gt_label`` (or
                ``gt_score``).

        Returns:
            The student head's loss dict (its ``loss`` scaled, accuracy
            items as logged by MMPretrain), each distillation loss and its
            detached sub-terms.
        """
        head = self.student.head
        s_logits = head(self.student.extract_feat(inputs))  # (N, C)
        losses = head._get_loss(s_logits, data_samples)
        for key, value in losses.items():
            if 'loss' in key:
                losses[key] = self.ce_weight * value
        with torch.no_grad():
            t_logits = self.teacher.head(
                self.teacher.extract_feat(inputs))  # (N, C)
        weight = self.warmup_factor(self.warmup_epochs, 'epoch')
        losses.update(self.distill(s_logits, t_logits,
                                   self._labels(data_samples), weight))
        return losses
