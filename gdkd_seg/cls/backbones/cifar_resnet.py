"""The CIFAR ResNets of the distillation benchmark (ResNet-20/32/56/110 and
the 4x-wider ResNet-8x4 / ResNet-32x4)."""
from typing import Sequence, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

from .init_cfg import DEFAULT_INIT_CFG


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers with an identity (or 1x1 conv-BN) shortcut.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        stride: stride of the first conv (and of the shortcut).
        norm_cfg: normalisation layer config.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 norm_cfg: dict) -> None:
        super().__init__()
        self.conv1 = ConvModule(in_channels, out_channels, 3, stride, 1,
                                norm_cfg=norm_cfg)
        self.conv2 = ConvModule(out_channels, out_channels, 3, 1, 1,
                                norm_cfg=norm_cfg, act_cfg=None)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = ConvModule(in_channels, out_channels, 1,
                                         stride, norm_cfg=norm_cfg,
                                         act_cfg=None)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(self.conv2(self.conv1(x)) + identity)


@MODELS.register_module()
class CIFARResNet(BaseModule):
    """ResNet for 32x32 inputs: a 3x3 stem and three stages of basic
    blocks at strides 1, 2, 2 (He et al., 2016, Sec. 4.2).

    ``depth = 6n + 2`` gives ``n`` blocks per stage. The ``x4`` variants of
    the distillation benchmark (Tian et al., CRD, ICLR 2020) widen the stem
    to 32 and the stages to 64/128/256 channels; the others use 16 and
    16/32/64.

    Args:
        arch: one of :attr:`arch_settings` (e.g. ``'resnet32x4'``).
        out_indices: stages (0-2) whose outputs are returned.
        norm_cfg: normalisation layer config.
        init_cfg: MMEngine init config (Kaiming conv, unit BN by default).
    """
    # arch: (depth, (stem, stage1, stage2, stage3) channels)
    arch_settings = {
        'resnet8': (8, (16, 16, 32, 64)),
        'resnet14': (14, (16, 16, 32, 64)),
        'resnet20': (20, (16, 16, 32, 64)),
        'resnet32': (32, (16, 16, 32, 64)),
        'resnet44': (44, (16, 16, 32, 64)),
        'resnet56': (56, (16, 16, 32, 64)),
        'resnet110': (110, (16, 16, 32, 64)),
        'resnet8x4': (8, (32, 64, 128, 256)),
        'resnet32x4': (32, (32, 64, 128, 256)),
    }

    def __init__(self,
                 arch: str = 'resnet20',
                 out_indices: Sequence[int] = (2, ),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg=DEFAULT_INIT_CFG) -> None:
        super().__init__(init_cfg=init_cfg)
        if arch not in self.arch_settings:
            raise KeyError(f'unknown arch {arch!r}; choose from '
                           f'{sorted(self.arch_settings)}')
        depth, channels = self.arch_settings[arch]
        if (depth - 2) % 6:
            raise ValueError(f'depth must be 6n + 2, got {depth}')
        if not set(out_indices) <= {0, 1, 2}:
            raise ValueError(f'out_indices must be in 0..2: {out_indices}')
        num_blocks = (depth - 2) // 6
        self.out_indices = tuple(out_indices)
        self.stem = ConvModule(3, channels[0], 3, 1, 1, norm_cfg=norm_cfg)
        self.stages = nn.ModuleList()
        in_channels = channels[0]
        for i, out_channels in enumerate(channels[1:]):
            blocks = []
            for j in range(num_blocks):
                stride = 2 if i > 0 and j == 0 else 1
                blocks.append(BasicBlock(in_channels, out_channels, stride,
                                         norm_cfg))
                in_channels = out_channels
            self.stages.append(nn.Sequential(*blocks))
        self.out_channels = channels[-1]

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        x = self.stem(x)  # (N, c0, H, W)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)  # (N, c_i, H / 2^i, W / 2^i)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
