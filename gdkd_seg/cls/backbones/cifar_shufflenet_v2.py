"""ShuffleNetV2 for 32x32 inputs, as in the CIFAR distillation benchmark."""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

from .channel_shuffle import channel_shuffle
from .init_cfg import DEFAULT_INIT_CFG


class ShuffleUnitV2(nn.Module):
    """A ShuffleNetV2 unit (Ma et al., ECCV 2018, Fig. 3c/d).

    Stride 1: half of the channels pass unchanged, the other half go
    through 1x1 - 3x3 depthwise - 1x1. Stride 2: both branches see the
    whole input (left: 3x3 depthwise - 1x1; right: 1x1 - 3x3 depthwise -
    1x1) and each gives ``out_channels / 2``. Then concat and shuffle.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        stride: 1 (needs ``in == out``) or 2.
        norm_cfg: normalisation layer config.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 norm_cfg: dict) -> None:
        super().__init__()
        self.stride = stride
        half = out_channels // 2
        branch_in = in_channels if stride == 2 else in_channels // 2
        if stride == 1 and in_channels != out_channels:
            raise ValueError('a stride-1 unit keeps the channel count')
        if stride == 2:
            self.left = nn.Sequential(
                ConvModule(in_channels, in_channels, 3, 2, 1,
                           groups=in_channels, norm_cfg=norm_cfg,
                           act_cfg=None),
                ConvModule(in_channels, half, 1, norm_cfg=norm_cfg))
        self.right = nn.Sequential(
            ConvModule(branch_in, half, 1, norm_cfg=norm_cfg),
            ConvModule(half, half, 3, stride, 1, groups=half,
                       norm_cfg=norm_cfg, act_cfg=None),
            ConvModule(half, half, 1, norm_cfg=norm_cfg))

    def forward(self, x: Tensor) -> Tensor:
        if self.stride == 2:
            out = torch.cat([self.left(x), self.right(x)], 1)
        else:
            x1, x2 = x.chunk(2, dim=1)  # (N, C / 2, H, W) each
            out = torch.cat([x1, self.right(x2)], 1)
        return channel_shuffle(out, 2)


@MODELS.register_module()
class CIFARShuffleNetV2(BaseModule):
    """ShuffleNetV2 for CIFAR: a 1x1 stem to 24 channels at full
    resolution, three stages of one stride-2 unit plus 3/7/3 stride-1
    units, and a final 1x1 conv.

    The benchmark's "ShuffleV2" (Tian et al., CRD, ICLR 2020) is
    ``widen_factor=1.0`` (116/232/464 channels, final 1024).

    Args:
        widen_factor: 0.5, 1.0, 1.5 or 2.0.
        out_indices: 0-2 for the stages, 3 for the final 1x1 conv.
        norm_cfg: normalisation layer config.
        init_cfg: MMEngine init config.
    """
    # widen factor: (stage channels..., final conv channels)
    arch_settings = {
        0.5: (48, 96, 192, 1024),
        1.0: (116, 232, 464, 1024),
        1.5: (176, 352, 704, 1024),
        2.0: (224, 488, 976, 2048),
    }
    num_units = (3, 7, 3)  # stride-1 units after each stride-2 unit

    def __init__(self,
                 widen_factor: float = 1.0,
                 out_indices: Sequence[int] = (3, ),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg=DEFAULT_INIT_CFG) -> None:
        super().__init__(init_cfg=init_cfg)
        if widen_factor not in self.arch_settings:
            raise KeyError(f'widen_factor must be one of '
                           f'{sorted(self.arch_settings)}, '
                           f'got {widen_factor}')
        if not set(out_indices) <= set(range(4)):
            raise ValueError(f'out_indices must be in 0..3: {out_indices}')
        self.out_indices = tuple(out_indices)
        *widths, last = self.arch_settings[widen_factor]
        in_channels = 24
        self.stem = ConvModule(3, in_channels, 1, norm_cfg=norm_cfg)
        self.stages = nn.ModuleList()
        for channels, num in zip(widths, self.num_units):
            units = [ShuffleUnitV2(in_channels, channels, 2, norm_cfg)]
            units += [ShuffleUnitV2(channels, channels, 1, norm_cfg)
                      for _ in range(num)]
            self.stages.append(nn.Sequential(*units))
            in_channels = channels
        self.final_conv = ConvModule(in_channels, last, 1, norm_cfg=norm_cfg)
        self.out_channels = last

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        x = self.stem(x)  # (N, 24, H, W)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)  # (N, c_i, H / 2^(i+1), W / 2^(i+1))
            if i in self.out_indices:
                outs.append(x)
        x = self.final_conv(x)  # (N, last, H / 8, W / 8)
        if 3 in self.out_indices:
            outs.append(x)
        return tuple(outs)
