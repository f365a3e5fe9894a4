"""Tiny MMSeg segmentors for the distiller's interface tests.

Registered in MMSeg's ``MODELS`` under ``GDKDTest*`` names when this
module is imported (tests only; nothing in the package uses them), in the
roles of MMSeg's own test models (its ``tests/test_models/
test_segmentors/utils.py``): a backbone, a plain decode head, a cascade
head that reads the previous stage, and a mask-classification head that
stands in for mmdet's MaskFormer (not installed here). Everything is a
few channels wide so a whole interface run takes a fraction of a second.
"""
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.model import BaseModule

import gdkd_seg  # noqa: F401,I001  (mmcv.ops stand-in before mmseg.models)
from mmseg.models.decode_heads import MaskFormerHead
from mmseg.models.decode_heads.cascade_decode_head import \
    BaseCascadeDecodeHead
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS

NUM_CLASSES = 5
# logits at stride 2: labels nearest-downsampled by 2 in the tests
STRIDE = 2


@MODELS.register_module()
class GDKDTestBackbone(BaseModule):
    """One stride-2 conv: ``(N, 3, H, W) -> [(N, width, H/2, W/2)]``
    (no activation: with inputs in [-1, 1] the features stay centred and
    the predictions vary from pixel to pixel)."""

    def __init__(self, width: int = 4, init_cfg=None) -> None:
        super().__init__(init_cfg)
        self.conv = nn.Conv2d(3, width, 3, stride=STRIDE, padding=1)

    def forward(self, x):
        return [self.conv(x)]  # linear: zero-mean, varied features


@MODELS.register_module()
class GDKDTestHead(BaseDecodeHead):
    """A 1x1 conv then MMSeg's classifier (dropout 0.1 as MMSeg's
    default: the tests check the student draws what MMSeg draws)."""

    def __init__(self, in_channels: int = 4, channels: int = 4,
                 **kwargs) -> None:
        kwargs.setdefault('num_classes', NUM_CLASSES)
        super().__init__(in_channels, channels, **kwargs)
        self.conv = nn.Conv2d(in_channels, channels, 1)

    def forward(self, inputs):
        x = self._transform_inputs(inputs)
        return self.cls_seg(torch.tanh(self.conv(x)))


@MODELS.register_module()
class GDKDTestCascadeHead(BaseCascadeDecodeHead):
    """Fuses the features with the previous stage's logits, so a stage's
    output depends on the one before (as OCRNet's OCR head does)."""

    def __init__(self, in_channels: int = 4, channels: int = 4,
                 prev_channels: int = NUM_CLASSES, **kwargs) -> None:
        kwargs.setdefault('num_classes', NUM_CLASSES)
        super().__init__(in_channels, channels, **kwargs)
        self.fuse = nn.Conv2d(in_channels + prev_channels, channels, 1)

    def forward(self, inputs, prev_output):
        x = self._transform_inputs(inputs)
        return self.cls_seg(torch.tanh(self.fuse(
            torch.cat([x, prev_output], 1))))


@MODELS.register_module()
class GDKDTestMaskHead(MaskFormerHead):
    """What mmdet's ``MaskFormerHead`` gives MMSeg's, in miniature: Q
    learned queries, per decoder layer class logits ``(N, Q, C + 1)`` and
    mask logits ``(N, Q, h, w)`` from a dot product with the features,
    and a stand-in training loss (mmdet's is Hungarian-matched). MMSeg's
    own ``MaskFormerHead.loss`` and ``predict`` run on top of it."""

    def __init__(self, in_channels: int = 4, num_queries: int = 3,
                 num_classes: int = NUM_CLASSES, num_layers: int = 2,
                 ignore_index: int = 255, align_corners: bool = False,
                 init_cfg=None) -> None:
        BaseModule.__init__(self, init_cfg)  # mmdet's __init__ is absent
        self.num_classes = self.out_channels = num_classes
        self.ignore_index = ignore_index
        self.align_corners = align_corners
        self.num_layers = num_layers
        self.query = nn.Parameter(torch.randn(num_queries, in_channels))
        self.update = nn.Linear(in_channels, in_channels)
        self.cls_embed = nn.Linear(in_channels, num_classes + 1)
        self.mask_embed = nn.Linear(in_channels, in_channels)

    def forward(self, x, batch_data_samples):
        feat = x[-1]  # (N, D, h, w)
        query = self.query[None].expand(feat.shape[0], -1, -1)  # (N, Q, D)
        pooled = feat.mean((2, 3))[:, None]  # (N, 1, D)
        all_cls, all_masks = [], []
        for _ in range(self.num_layers):
            query = query + torch.tanh(self.update(query + pooled))
            all_cls.append(self.cls_embed(query))  # (N, Q, C + 1)
            all_masks.append(torch.einsum('nqd,ndhw->nqhw',
                                          self.mask_embed(query), feat))
        return all_cls, all_masks

    def loss_by_feat(self, all_cls_scores: List, all_mask_preds: List,
                     batch_gt_instances: List, batch_img_metas: List):
        """Query ``i`` learns ground-truth segment ``i`` (class by
        cross-entropy, mask by BCE), the others "no object"."""
        loss_cls = loss_mask = 0.
        for cls_scores, mask_preds in zip(all_cls_scores, all_mask_preds):
            for n, gt in enumerate(batch_gt_instances):
                labels = torch.full((cls_scores.shape[1], ),
                                    self.num_classes, dtype=torch.long)
                k = min(len(gt.labels), len(labels))
                labels[:k] = gt.labels[:k]
                loss_cls = loss_cls + F.cross_entropy(cls_scores[n], labels)
                if k:
                    masks = F.interpolate(
                        mask_preds[n:n + 1, :k], gt.masks.shape[-2:],
                        mode='bilinear')[0]
                    loss_mask = loss_mask + F.binary_cross_entropy_with_logits(
                        masks, gt.masks[:k].float())
        return dict(loss_cls=loss_cls, loss_mask=loss_mask)


def head(kind: str = 'plain', width: int = 4, **kwargs) -> dict:
    """A head config: ``plain``, ``cascade``, ``binary`` (one sigmoid
    channel for 2 classes), ``twoclass`` (softmax over 2) or ``mask``."""
    if kind == 'mask':
        return dict(type='GDKDTestMaskHead', in_channels=width, **kwargs)
    cfg = dict(type='GDKDTestHead', in_channels=width, channels=width)
    if kind == 'cascade':
        cfg['type'] = 'GDKDTestCascadeHead'
    elif kind == 'binary':
        cfg.update(num_classes=2, out_channels=1, threshold=0.4,
                   loss_decode=dict(type='CrossEntropyLoss',
                                    use_sigmoid=True))
    elif kind == 'twoclass':
        cfg.update(num_classes=2)
    cfg.update(kwargs)
    return cfg


def segmentor(kind: str = 'encdec', width: int = 4, **kwargs) -> ConfigDict:
    """A segmentor config.

    Args:
        kind: ``encdec`` (one head), ``cascade`` (2 stages), ``binary``,
            ``twoclass``, ``aux1`` / ``aux2`` (1 / 2 auxiliary heads),
            ``pointrend`` (a coarse head and MMSeg's ``PointHead``) or
            ``mask`` (a mask-classification head).
        width: channels of the backbone and heads (teachers get another).
        **kwargs: replace top-level fields (``test_cfg``...).
    """
    cfg = dict(type='EncoderDecoder',
               data_preprocessor=dict(type='SegDataPreProcessor',
                                      mean=[127.5] * 3, std=[127.5] * 3,
                                      size=(16, 16)),
               backbone=dict(type='GDKDTestBackbone', width=width),
               decode_head=head(width=width),
               train_cfg=dict(),
               test_cfg=dict(mode='whole'))
    if kind in ('binary', 'twoclass', 'mask'):
        cfg['decode_head'] = head(kind, width)
    elif kind == 'cascade':
        cfg.update(type='CascadeEncoderDecoder', num_stages=2,
                   decode_head=[head(width=width),
                                head('cascade', width)])
    elif kind == 'pointrend':
        cfg.update(
            type='CascadeEncoderDecoder', num_stages=2,
            decode_head=[
                head(width=width),
                dict(type='PointHead', in_channels=[width], in_index=[0],
                     channels=8, num_fcs=1, num_classes=NUM_CLASSES,
                     coarse_pred_each_layer=True, dropout_ratio=-1)
            ],
            train_cfg=dict(num_points=16, oversample_ratio=3,
                           importance_sample_ratio=0.75),
            test_cfg=dict(mode='whole', subdivision_steps=1,
                          subdivision_num_points=16, scale_factor=2))
    elif kind in ('aux1', 'aux2'):
        aux = [head(width=width, loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=0.4))
               for _ in range(int(kind[-1]))]
        cfg['auxiliary_head'] = aux[0] if kind == 'aux1' else aux
    elif kind != 'encdec':
        raise ValueError(kind)
    cfg.update(kwargs)
    return ConfigDict(cfg)
