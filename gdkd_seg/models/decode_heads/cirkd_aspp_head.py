"""CIRKD's DeepLabV3 head as an MMSeg decode head.

CIRKD's ``_DeepLabHead`` (winycg/CIRKD ``models/deeplabv3.py``) differs
from MMSeg's ``ASPPHead`` in three ways, so it needs its own module:

- the concat order: CIRKD ``[1x1, rate 12, rate 24, rate 36, image pool]``,
  MMSeg ``[image pool, 1x1, 12, 24, 36]``;
- after the concat CIRKD projects ``5C -> C`` with a 1x1 conv + BN + ReLU
  and ``Dropout(0.5)``, then a 3x3 conv ``C -> C`` + BN + ReLU; MMSeg has
  only a 3x3 conv on the concat (the ReLU between CIRKD's two convs means
  they cannot be folded into one);
- its dropouts are element-wise (``nn.Dropout``), MMSeg's classifier
  dropout is channel-wise (``nn.Dropout2d``).

The width ``C`` is ``channels``: 128 for ResNet-18 / MobileNetV2 and 256
for ResNet-101 in the code the published checkpoints come from (CIRKD
``91735ef``, seg-gdkd); 512 for both ResNets from CIRKD ``351400e`` on.
"""
from typing import List

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.aspp_head import ASPPModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class CIRKDASPPHead(BaseDecodeHead):
    """CIRKD's DeepLabV3 head (see the module docstring).

    Args:
        dilations: rates of the ASPP branches (1 means a 1x1 conv).
        project_dropout: element-wise dropout after the 1x1 projection.
        **kwargs: :class:`BaseDecodeHead`'s arguments; ``dropout_ratio``
            is CIRKD's element-wise dropout before the classifier.
    """

    def __init__(self,
                 dilations=(1, 12, 24, 36),
                 project_dropout: float = 0.5,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.dilations = dilations
        conv = dict(conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg,
                    act_cfg=self.act_cfg)
        self.aspp_modules = ASPPModule(dilations, self.in_channels,
                                       self.channels, **conv)
        self.image_pool = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            ConvModule(self.in_channels, self.channels, 1, **conv))
        self.project = ConvModule((len(dilations) + 1) * self.channels,
                                  self.channels, 1, **conv)
        self.project_dropout = nn.Dropout(project_dropout)
        self.bottleneck = ConvModule(self.channels, self.channels, 3,
                                     padding=1, **conv)
        if self.dropout is not None:
            self.dropout = nn.Dropout(self.dropout_ratio)

    def _forward_feature(self, inputs: List[Tensor]) -> Tensor:
        """``(N, channels, h, w)`` features before the classifier."""
        x = self._transform_inputs(inputs)  # (N, in_channels, h, w)
        pool = resize(self.image_pool(x), size=x.shape[2:], mode='bilinear',
                      align_corners=self.align_corners)
        x = torch.cat([*self.aspp_modules(x), pool], dim=1)  # (N, 5C, h, w)
        return self.bottleneck(self.project_dropout(self.project(x)))

    def forward(self, inputs: List[Tensor]) -> Tensor:
        """``(N, num_classes, h, w)`` logits."""
        return self.cls_seg(self._forward_feature(inputs))
