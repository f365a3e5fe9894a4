"""DMAE: "Masked Autoencoders Enable Efficient Knowledge Distillers"
(Bai et al., CVPR 2023, arXiv:2208.12256)."""
from typing import Dict, List

import torch.nn as nn
from mmpretrain.registry import MODELS
from torch import Tensor

from .feature_losses import normalized_l1_loss
from .masked_distiller import MaskedDistiller
from .masking import NestedMasks


@MODELS.register_module()
class DMAE(MaskedDistiller):
    """MAE pre-training of the student with a frozen MAE teacher's
    intermediate features as a second target.

    Student and teacher see the same visible patches. A linear projection
    (with bias) per aligned block maps the student's block output to the
    teacher's width; the loss is the L1 distance of the L2-normalised
    projected student tokens and teacher tokens (class token included)::

        loss_pixel + feat_weight * sum_pairs mean|n(P s) - n(t)|

    Keys: ``loss_pixel``, ``loss_feat_l1`` (the weighted sum) and the
    detached per-pair ``feat_l1_s<i>_t<j>``.

    Args:
        feat_weight: weight of the feature term (DMAE: 1).
        **kwargs: :class:`MaskedDistiller`'s arguments except
            ``teacher_mask_ratio`` (the teacher sees the student's
            patches).
    """

    def __init__(self, feat_weight: float = 1.0, **kwargs) -> None:
        if kwargs.get('teacher_mask_ratio') is not None:
            raise ValueError('DMAE shows the teacher the student\'s '
                             'patches: leave teacher_mask_ratio unset')
        super().__init__(**kwargs)
        self.feat_weight = feat_weight
        self.projectors = nn.ModuleList(
            nn.Linear(self.student_dims, self.teacher_dims)
            for _ in self.student_layers)

    def distill(self, s_feats: List[Tensor], t_feats: List[Tensor],
                masks: NestedMasks) -> Dict[str, Tensor]:
        out, total = {}, 0.
        for i, (s, t) in enumerate(zip(s_feats, t_feats)):
            term = normalized_l1_loss(self.projectors[i](s), t)
            out[f'feat_l1_{self.pair_name(i)}'] = term.detach()
            total = total + term
        out['loss_feat_l1'] = self.feat_weight * total
        return out
