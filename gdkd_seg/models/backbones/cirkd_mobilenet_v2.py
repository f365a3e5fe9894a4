"""CIRKD's dilated MobileNetV2 as an MMSeg backbone.

CIRKD (winycg/CIRKD ``models/base_models/mobilenetv2.py``) takes the
ImageNet MobileNetV2 ``features`` (no final 1280-channel conv) and, for
output stride 8, removes the stride of features 7 and 14 and dilates
every depthwise conv after them (its ``_nostride_dilate``): features 7
use dilation 1, 8-13 dilation 2, 14 dilation 2 and 15-17 dilation 4.

MMSeg's ``MobileNetV2`` has the same layers and weights (``conv1`` and
``layer1``-``layer7``), but with ``dilations=(1, 1, 1, 2, 2, 4, 4)`` it
dilates only the first block of each layer. :class:`CIRKDMobileNetV2`
dilates every block of a layer by the layer's dilation, except the first
block of a layer whose dilation grows, which gets half of it (the block
whose stride was removed; ``contract_dilation`` in MMSeg's ResNet). With
``strides=(1, 2, 2, 1, 1, 1, 1)`` and the dilations above this is CIRKD's
network, weight for weight.
"""
import torch.nn as nn
from mmseg.models.backbones.mobilenet_v2 import MobileNetV2
from mmseg.models.utils import InvertedResidual
from mmseg.registry import MODELS


@MODELS.register_module()
class CIRKDMobileNetV2(MobileNetV2):
    """``MobileNetV2`` with CIRKD's depthwise dilations (see the module
    docstring); takes ``MobileNetV2``'s arguments."""

    def make_layer(self, out_channels: int, num_blocks: int, stride: int,
                   dilation: int, expand_ratio: int) -> nn.Sequential:
        """One layer of inverted residual blocks, all dilated by
        ``dilation`` but a first block that contracts a growing one."""
        index = len(self.layers)  # MobileNetV2 appends after each layer
        previous = self.dilations[index - 1] if index else 1
        first = dilation // 2 if dilation > previous else dilation
        blocks = []
        for i in range(num_blocks):
            blocks.append(
                InvertedResidual(
                    self.in_channels,
                    out_channels,
                    stride if i == 0 else 1,
                    expand_ratio=expand_ratio,
                    dilation=first if i == 0 else dilation,
                    conv_cfg=self.conv_cfg,
                    norm_cfg=self.norm_cfg,
                    act_cfg=self.act_cfg,
                    with_cp=self.with_cp))
            self.in_channels = out_channels
        return nn.Sequential(*blocks)
