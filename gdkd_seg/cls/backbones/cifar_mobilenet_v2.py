"""MobileNetV2 for 32x32 inputs, as in the CIFAR distillation benchmark."""
from typing import Sequence, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

from .init_cfg import DEFAULT_INIT_CFG


class InvertedResidual(nn.Module):
    """1x1 expansion - 3x3 depthwise - 1x1 linear projection, with an
    identity shortcut when the shape is kept (Sandler et al., 2018).

    The expansion conv is kept even for ``expand_ratio == 1`` (the
    benchmark's variant; it is what its parameter count includes).

    Args:
        in_channels: input channels.
        out_channels: output channels.
        stride: depthwise stride.
        expand_ratio: hidden channels / input channels.
        norm_cfg: normalisation layer config.
        act_cfg: activation config.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 expand_ratio: int, norm_cfg: dict, act_cfg: dict) -> None:
        super().__init__()
        hidden = in_channels * expand_ratio
        self.use_shortcut = stride == 1 and in_channels == out_channels
        self.conv = nn.Sequential(
            ConvModule(in_channels, hidden, 1, norm_cfg=norm_cfg,
                       act_cfg=act_cfg),
            ConvModule(hidden, hidden, 3, stride, 1, groups=hidden,
                       norm_cfg=norm_cfg, act_cfg=act_cfg),
            ConvModule(hidden, out_channels, 1, norm_cfg=norm_cfg,
                       act_cfg=None))

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv(x)
        return x + out if self.use_shortcut else out


@MODELS.register_module()
class CIFARMobileNetV2(BaseModule):
    """MobileNetV2 adapted to CIFAR: the second stage keeps stride 1
    (total stride 16 instead of 32), activations are ReLU, and the final
    1x1 conv has 1280 channels for any width <= 1.

    The benchmark's student ("MobileNetV2", Tian et al., CRD, ICLR 2020)
    is ``widen_factor=0.5``.

    Args:
        widen_factor: channel multiplier of the stem and the 7 stages.
        expand_ratio: expansion of stages 2-7 (stage 1 uses 1).
        out_indices: 0-6 for the stages, 7 for the final 1x1 conv.
        norm_cfg: normalisation layer config.
        act_cfg: activation config.
        init_cfg: MMEngine init config.
    """
    # (expand ratio or None for the `expand_ratio` arg, channels,
    #  blocks, stride of the first block)
    arch_settings = [(1, 16, 1, 1), (None, 24, 2, 1), (None, 32, 3, 2),
                     (None, 64, 4, 2), (None, 96, 3, 1), (None, 160, 3, 2),
                     (None, 320, 1, 1)]

    def __init__(self,
                 widen_factor: float = 0.5,
                 expand_ratio: int = 6,
                 out_indices: Sequence[int] = (7, ),
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg=DEFAULT_INIT_CFG) -> None:
        super().__init__(init_cfg=init_cfg)
        if not set(out_indices) <= set(range(8)):
            raise ValueError(f'out_indices must be in 0..7: {out_indices}')
        self.out_indices = tuple(out_indices)
        in_channels = int(32 * widen_factor)
        self.stem = ConvModule(3, in_channels, 3, 2, 1, norm_cfg=norm_cfg,
                               act_cfg=act_cfg)
        self.stages = nn.ModuleList()
        for ratio, channels, num_blocks, stride in self.arch_settings:
            out_channels = int(channels * widen_factor)
            blocks = []
            for j in range(num_blocks):
                blocks.append(InvertedResidual(
                    in_channels, out_channels, stride if j == 0 else 1,
                    ratio or expand_ratio, norm_cfg, act_cfg))
                in_channels = out_channels
            self.stages.append(nn.Sequential(*blocks))
        last = int(1280 * widen_factor) if widen_factor > 1 else 1280
        self.final_conv = ConvModule(in_channels, last, 1,
                                     norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.out_channels = last

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        x = self.stem(x)  # (N, 32w, H / 2, W / 2)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i in self.out_indices:
                outs.append(x)
        x = self.final_conv(x)  # (N, 1280, H / 16, W / 16)
        if 7 in self.out_indices:
            outs.append(x)
        return tuple(outs)
