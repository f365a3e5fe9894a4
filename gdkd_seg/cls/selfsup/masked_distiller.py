"""What DMAE and AMD share: an MMPretrain MAE student whose encoder
blocks are taught by a frozen, larger MAE encoder on shared masks."""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmpretrain.models import MAE, MAEViT
from mmpretrain.structures import DataSample
from torch import Tensor

from gdkd_seg.models.distillers.frozen_teacher import (CfgType,
                                                       FrozenTeacherMixin)
from .encode_visible import encode_visible
from .masking import NestedMasks, nested_random_masks


class MaskedDistiller(FrozenTeacherMixin, MAE):
    """MMPretrain's ``MAE`` plus feature distillation from a frozen MAE.

    The student is this model: its ``backbone`` (an ``MAEViT``), ``neck``
    (MAE's decoder) and ``head`` (MAE's pixel loss) are built and saved
    exactly as MMPretrain's ``MAE`` (``backbone.*`` keys: MMPretrain's
    fine-tuning configs load them with ``prefix='backbone.'``). The
    teacher is another ``MAE`` config + checkpoint, frozen
    (:class:`FrozenTeacherMixin`: loaded strictly through the safe
    loader, in no checkpoint or optimizer, in eval mode on every
    ``train()``); only its encoder runs, up to the deepest block a loss
    needs.

    Each iteration draws one random permutation of the patches per image
    (:func:`nested_random_masks`): the student sees its first
    ``len_keep`` patches (the backbone's ``mask_ratio``), the teacher its
    first ``len_keep(teacher_mask_ratio)``. The losses are MAE's pixel
    loss (``loss_pixel``) and the subclass's feature losses on the outputs
    of blocks ``student_layers`` and ``teacher_layers`` (paired in order,
    0-indexed as MMPretrain's ``out_indices``; raw block outputs, before
    any final norm).

    Args:
        backbone, neck, head: MMPretrain's MAE student (``MAEViT``,
            ``MAEPretrainDecoder``, ``MAEPretrainHead``).
        teacher: an MMPretrain ``MAE`` config, config file or
            ``mmpretrain::`` path (its backbone must be an ``MAEViT`` on
            the same patch grid).
        teacher_ckpt: the teacher's weights (path or URL); ``None`` only
            for tests that set them.
        teacher_dims: the teacher encoder's width (checked when the
            teacher is built; the projections need it before).
        student_layers: student blocks whose outputs are taught.
        teacher_layers: the teacher blocks that teach them.
        teacher_mask_ratio: the teacher's mask ratio; ``None`` for the
            student's (identical masks).
        pretrained, data_preprocessor, init_cfg: as MMPretrain's ``MAE``.
    """

    check_finite: bool = True

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 teacher: CfgType,
                 teacher_dims: int,
                 student_layers: Sequence[int],
                 teacher_layers: Sequence[int],
                 teacher_ckpt: Optional[str] = None,
                 teacher_mask_ratio: Optional[float] = None,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head,
                         pretrained=pretrained,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if not isinstance(self.backbone, MAEViT):
            raise TypeError(
                f'{type(self).__name__} needs an MAEViT student backbone '
                f'(MAE on a plain ViT), got {type(self.backbone).__name__}')
        self.student_layers = tuple(student_layers)
        self.teacher_layers = tuple(teacher_layers)
        depth = len(self.backbone.layers)
        if (not self.student_layers
                or len(self.student_layers) != len(self.teacher_layers)):
            raise ValueError(
                'student_layers and teacher_layers pair blocks: give as '
                f'many of each (got {self.student_layers} and '
                f'{self.teacher_layers})')
        bad = [i for i in self.student_layers if not 0 <= i < depth]
        bad += [i for i in self.teacher_layers if i < 0]
        if bad:
            raise ValueError(
                f'blocks {bad} do not exist: layers are 0-indexed, the '
                f'student has blocks 0..{depth - 1}')
        self.student_dims = self.backbone.embed_dims
        self.teacher_dims = teacher_dims
        self.teacher_mask_ratio = (self.backbone.mask_ratio
                                   if teacher_mask_ratio is None else
                                   teacher_mask_ratio)
        self.setup_teacher(teacher, teacher_ckpt, 'mmpretrain')

    def check_teacher(self, teacher: nn.Module) -> None:
        """The teacher's encoder is an ``MAEViT`` on the student's patch
        grid, ``teacher_dims`` wide, with the blocks the losses need.

        Raises:
            ValueError: naming what differs.
        """
        vit = getattr(teacher, 'backbone', None)
        if not isinstance(vit, MAEViT):
            raise ValueError(
                'the teacher must be an MMPretrain MAE with an MAEViT '
                f'backbone, got {type(vit).__name__}')
        own = self.backbone
        if (vit.patch_resolution != own.patch_resolution
                or vit.patch_embed.projection.kernel_size !=
                own.patch_embed.projection.kernel_size):
            raise ValueError(
                f'teacher patch grid {vit.patch_resolution} (patch '
                f'{vit.patch_embed.projection.kernel_size}) differs from '
                f"the student's {own.patch_resolution} (patch "
                f'{own.patch_embed.projection.kernel_size}): the masks '
                'index the same patches in both')
        if vit.embed_dims != self.teacher_dims:
            raise ValueError(
                f'the teacher is {vit.embed_dims} wide but teacher_dims is '
                f'{self.teacher_dims}: set model.teacher_dims to '
                f'{vit.embed_dims}')
        if max(self.teacher_layers) >= len(vit.layers):
            raise ValueError(
                f'teacher_layers {self.teacher_layers}: the teacher has '
                f'blocks 0..{len(vit.layers) - 1} (0-indexed)')

    def draw_masks(self, inputs: Tensor) -> NestedMasks:
        """This iteration's masks (one random draw for both models)."""
        return nested_random_masks(inputs.shape[0],
                                   self.backbone.num_patches,
                                   self.backbone.mask_ratio,
                                   self.teacher_mask_ratio, inputs.device)

    def loss(self, inputs: Tensor, data_samples: List[DataSample],
             **kwargs) -> Dict[str, Tensor]:
        """MAE's pixel loss plus the feature losses.

        Args:
            inputs: ``(N, 3, H, W)`` preprocessed images (both models see
                the student's preprocessing).
            data_samples: unused (self-supervised).

        Returns:
            ``loss_pixel`` (MAE's reconstruction loss, the student's own
            ``head``), the feature losses (keys with ``loss``) and their
            detached per-block terms (keys without).
        """
        masks = self.draw_masks(inputs)
        latent, s_feats = encode_visible(self.backbone, inputs,
                                         masks.student_ids,
                                         self.student_layers)
        pred = self.neck(latent, masks.ids_restore)
        losses = dict(loss_pixel=self.head.loss(pred, inputs, masks.mask))
        with torch.no_grad():
            _, t_feats = encode_visible(self.teacher.backbone, inputs,
                                        masks.teacher_ids,
                                        self.teacher_layers, full=False)
        losses.update(self.distill(s_feats, t_feats, masks))
        if self.check_finite:
            self._check_finite(losses)
        return losses

    def distill(self, s_feats: List[Tensor], t_feats: List[Tensor],
                masks: NestedMasks) -> Dict[str, Tensor]:
        """The feature losses (subclasses).

        Args:
            s_feats: ``(N, 1 + num_student, C_s)`` per student layer.
            t_feats: ``(N, 1 + num_teacher, C_t)`` per teacher layer:
                class token, the student's patches, then the teacher's
                others.
            masks: this iteration's masks.
        """
        raise NotImplementedError

    def pair_name(self, i: int) -> str:
        """``s<student block>_t<teacher block>`` of the ``i``-th pair."""
        return f's{self.student_layers[i]}_t{self.teacher_layers[i]}'

    @staticmethod
    def _check_finite(losses: Dict[str, Tensor]) -> None:
        """Stop before a NaN/inf loss reaches the optimizer.

        Raises:
            FloatingPointError: naming the terms and the iteration.
        """
        keys = [k for k in losses if 'loss' in k]
        if bool(torch.isfinite(torch.stack(
                [losses[k].detach().float() for k in keys])).all()):
            return
        bad = [k for k in keys if not bool(torch.isfinite(losses[k]))]
        step = MessageHub.get_current_instance().get_info('iter')
        at = ('outside a runner' if step is None else
              f'at iteration {step + 1}')
        raise FloatingPointError(
            f"non-finite loss {', '.join(bad)} {at}. Stopped before the "
            'optimizer step, so the weights and the checkpoints already '
            'written are not affected (a broken teacher checkpoint, or '
            'fp16 overflow: try bf16).')
