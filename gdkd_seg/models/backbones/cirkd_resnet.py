"""CIRKD's deep-stem dilated ResNet as an MMSeg backbone.

CIRKD's ``resnet*_v1s`` (winycg/CIRKD ``models/base_models/resnet.py``,
a gluon-cv ``ResNetV1b`` with a deep stem) is MMSeg's ``ResNetV1c`` with
``stem_channels=128`` (3 -> 64 -> 64 -> 128), ``strides=(1, 2, 1, 1)``,
``dilations=(1, 1, 2, 4)`` and ``contract_dilation=True``: the same
modules, weight for weight, for Bottleneck networks (ResNet-101, the
teacher), so those configs use ``ResNetV1c`` itself.

Its BasicBlock differs: the second 3x3 conv of every block in a dilated
stage is dilated by the stage's dilation (CIRKD's ``previous_dilation``),
where MMSeg's BasicBlock always uses dilation 1 there. Per block of
ResNet-18, (conv1, conv2) dilations are (1, 2), (2, 2) in layer3 and
(2, 4), (4, 4) in layer4. :class:`CIRKDResNetV1c` builds exactly that;
weights, names and every other layer are MMSeg's.
"""
from mmcv.cnn import build_conv_layer
from mmseg.models.backbones.resnet import BasicBlock, ResNetV1c
from mmseg.registry import MODELS


class DilatedBasicBlock(BasicBlock):
    """MMSeg's BasicBlock with its second conv dilated by
    ``conv2_dilation`` (padding equal to the dilation, size kept)."""

    def __init__(self, *args, conv2_dilation: int = 1, conv_cfg=None,
                 **kwargs) -> None:
        super().__init__(*args, conv_cfg=conv_cfg, **kwargs)
        if conv2_dilation != 1:
            planes = self.conv2.out_channels
            self.conv2 = build_conv_layer(
                conv_cfg, planes, planes, 3, padding=conv2_dilation,
                dilation=conv2_dilation, bias=False)


@MODELS.register_module()
class CIRKDResNetV1c(ResNetV1c):
    """``ResNetV1c`` whose BasicBlocks dilate their second conv as CIRKD's.

    Takes ``ResNetV1c``'s arguments. With BasicBlock depths (18, 34),
    every block of a stage with dilation ``d`` gets ``d`` on its second
    conv; Bottleneck depths are built exactly as ``ResNetV1c``.
    """

    def make_res_layer(self, **kwargs):
        """A ``ResLayer``; BasicBlocks get the stage's dilation on conv2."""
        if kwargs['block'] is BasicBlock:
            kwargs = dict(kwargs, block=DilatedBasicBlock,
                          conv2_dilation=kwargs['dilation'])
        return super().make_res_layer(**kwargs)
