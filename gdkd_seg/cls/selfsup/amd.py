"""AMD: "Asymmetric Masked Distillation for Pre-Training Small Foundation
Models" (Zhao et al., CVPR 2024, arXiv:2311.03149)."""
from typing import Dict, List, Optional

import torch.nn as nn
from mmengine.model import ModuleList
from mmpretrain.registry import MODELS
from torch import Tensor

from .feature_losses import feature_mse_loss
from .masked_distiller import MaskedDistiller
from .masking import NestedMasks


@MODELS.register_module()
class AMD(MaskedDistiller):
    """MAE pre-training of a small student with a frozen MAE teacher that
    sees more of each image.

    The teacher's visible patches are a superset of the student's (a
    lower ``teacher_mask_ratio``, the same random permutation). Per
    aligned block pair a bias-free linear projection maps the student's
    tokens to the teacher's width, and

    - *direct* alignment: MSE between the projected student tokens and
      the teacher's tokens at the same positions (class token and the
      student's patches);
    - *generation* alignment: a :class:`MaskedFeatureGenerator` fed the
      projected tokens predicts the teacher's tokens at the patches only
      the teacher sees; MSE against them.

    ::

        loss_pixel + direct_weight * mean_pairs direct
                   + gen_weight * mean_pairs generation

    Keys: ``loss_pixel``, ``loss_feat_direct``, ``loss_feat_gen`` and the
    detached per-pair ``feat_direct_s<i>_t<j>``, ``feat_gen_s<i>_t<j>``.

    Args:
        teacher_mask_ratio: the teacher's mask ratio, below the student's
            (the backbone's ``mask_ratio``).
        direct_weight: weight of the direct term (AMD: 1).
        gen_weight: weight of the generation term (AMD: 1).
        generator: :class:`MaskedFeatureGenerator` settings (``depth``,
            ``num_heads``, ``mlp_ratio``); width and patch count come from
            the teacher and the student.
        **kwargs: :class:`MaskedDistiller`'s arguments.
    """

    def __init__(self,
                 teacher_mask_ratio: float,
                 direct_weight: float = 1.0,
                 gen_weight: float = 1.0,
                 generator: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(teacher_mask_ratio=teacher_mask_ratio, **kwargs)
        if not teacher_mask_ratio < self.backbone.mask_ratio:
            raise ValueError(
                f'AMD\'s teacher sees more: teacher_mask_ratio '
                f'({teacher_mask_ratio}) must be below the student\'s '
                f'mask_ratio ({self.backbone.mask_ratio})')
        self.direct_weight = direct_weight
        self.gen_weight = gen_weight
        self.projectors = nn.ModuleList(
            nn.Linear(self.student_dims, self.teacher_dims, bias=False)
            for _ in self.student_layers)
        generator = dict(type='MaskedFeatureGenerator', **(generator or {}),
                         embed_dims=self.teacher_dims,
                         num_patches=self.backbone.num_patches)
        # MMEngine's ModuleList: init_weights reaches the generators
        self.generators = ModuleList(
            MODELS.build(generator) for _ in self.student_layers)

    def distill(self, s_feats: List[Tensor], t_feats: List[Tensor],
                masks: NestedMasks) -> Dict[str, Tensor]:
        n = 1 + masks.num_student  # class token + the shared patches
        ids_only_teacher = masks.ids_shuffle[:, masks.num_student:
                                             masks.num_teacher]
        out, direct, gen = {}, 0., 0.
        for i, (s, t) in enumerate(zip(s_feats, t_feats)):
            p = self.projectors[i](s)  # (N, n, C_t)
            d = feature_mse_loss(p, t[:, :n])
            g = feature_mse_loss(
                self.generators[i](p, masks.student_ids, ids_only_teacher),
                t[:, n:])
            out[f'feat_direct_{self.pair_name(i)}'] = d.detach()
            out[f'feat_gen_{self.pair_name(i)}'] = g.detach()
            direct, gen = direct + d, gen + g
        pairs = len(s_feats)
        out['loss_feat_direct'] = self.direct_weight * direct / pairs
        out['loss_feat_gen'] = self.gen_weight * gen / pairs
        return out
