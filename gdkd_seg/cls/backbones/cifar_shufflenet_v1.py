"""ShuffleNetV1 for 32x32 inputs, as in the CIFAR distillation benchmark."""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

from .channel_shuffle import channel_shuffle
from .init_cfg import DEFAULT_INIT_CFG


class ShuffleUnitV1(nn.Module):
    """Grouped 1x1 - shuffle - 3x3 depthwise - grouped 1x1 (bottleneck
    = out / 4). A stride-2 unit concatenates a 3x3 average-pooled
    shortcut, so its branch produces ``out_channels - in_channels``.

    Args:
        in_channels: input channels.
        out_channels: output channels of the unit.
        stride: 1 or 2.
        groups: groups of the 1x1 convs.
        first_grouped: group the first 1x1 conv (not on the 24-channel
            stem output, as in the paper).
        norm_cfg: normalisation layer config.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 groups: int, first_grouped: bool, norm_cfg: dict) -> None:
        super().__init__()
        self.stride = stride
        self.groups = groups
        branch = out_channels - in_channels if stride == 2 else out_channels
        mid = branch // 4
        self.conv1 = ConvModule(in_channels, mid, 1,
                                groups=groups if first_grouped else 1,
                                norm_cfg=norm_cfg)
        # the benchmark's variant keeps a ReLU after the depthwise conv
        self.conv2 = ConvModule(mid, mid, 3, stride, 1, groups=mid,
                                norm_cfg=norm_cfg)
        self.conv3 = ConvModule(mid, branch, 1, groups=groups,
                                norm_cfg=norm_cfg, act_cfg=None)

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv1(x)
        out = channel_shuffle(out, self.groups)
        out = self.conv3(self.conv2(out))
        if self.stride == 2:
            shortcut = F.avg_pool2d(x, 3, 2, 1)  # (N, C_in, H/2, W/2)
            return F.relu(torch.cat([out, shortcut], 1))
        return F.relu(out + x)


@MODELS.register_module()
class CIFARShuffleNetV1(BaseModule):
    """ShuffleNetV1 (Zhang et al., CVPR 2018) for CIFAR: a 1x1 stem to
    24 channels at full resolution, then stages of 4/8/4 units, each
    starting with a stride-2 unit.

    The benchmark's "ShuffleV1" (Tian et al., CRD, ICLR 2020) is
    ``groups=3`` (240/480/960 channels).

    Args:
        groups: groups of the 1x1 convs (1, 2, 3, 4 or 8).
        out_indices: stages (0-2) whose outputs are returned.
        norm_cfg: normalisation layer config.
        init_cfg: MMEngine init config.
    """
    # groups: stage output channels (ShuffleNet paper, Table 1)
    arch_settings = {
        1: (144, 288, 576),
        2: (200, 400, 800),
        3: (240, 480, 960),
        4: (272, 544, 1088),
        8: (384, 768, 1536),
    }
    num_units = (4, 8, 4)

    def __init__(self,
                 groups: int = 3,
                 out_indices: Sequence[int] = (2, ),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg=DEFAULT_INIT_CFG) -> None:
        super().__init__(init_cfg=init_cfg)
        if groups not in self.arch_settings:
            raise KeyError(f'groups must be one of '
                           f'{sorted(self.arch_settings)}, got {groups}')
        if not set(out_indices) <= {0, 1, 2}:
            raise ValueError(f'out_indices must be in 0..2: {out_indices}')
        self.out_indices = tuple(out_indices)
        in_channels = 24
        self.stem = ConvModule(3, in_channels, 1, norm_cfg=norm_cfg)
        self.stages = nn.ModuleList()
        for i, (channels, num) in enumerate(
                zip(self.arch_settings[groups], self.num_units)):
            units = []
            for j in range(num):
                units.append(ShuffleUnitV1(
                    in_channels, channels, 2 if j == 0 else 1, groups,
                    first_grouped=not (i == 0 and j == 0),
                    norm_cfg=norm_cfg))
                in_channels = channels
            self.stages.append(nn.Sequential(*units))
        self.out_channels = in_channels

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        x = self.stem(x)  # (N, 24, H, W)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)  # (N, c_i, H / 2^(i+1), W / 2^(i+1))
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
