"""VGG with batch norm for 32x32 inputs (VGG-8/11/13/16/19)."""
from typing import Sequence, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

from .init_cfg import DEFAULT_INIT_CFG


@MODELS.register_module()
class CIFARVGG(BaseModule):
    """VGG-BN (Simonyan & Zisserman, 2015) as used on CIFAR in the
    distillation benchmark (Tian et al., CRD, ICLR 2020).

    Five stages of 3x3 conv (with bias) - BN - ReLU at 64, 128, 256, 512
    and 512 channels; 2x2 max pooling follows the first three stages only,
    so the last two stages run at 1/8 of the input size (4x4 on CIFAR).
    VGG-8 has one conv per stage.

    Args:
        depth: 8, 11, 13, 16 or 19.
        out_indices: stages (0-4) whose outputs are returned.
        norm_cfg: normalisation layer config.
        init_cfg: MMEngine init config.
    """
    # depth: convs per stage
    arch_settings = {
        8: (1, 1, 1, 1, 1),
        11: (1, 1, 2, 2, 2),
        13: (2, 2, 2, 2, 2),
        16: (2, 2, 3, 3, 3),
        19: (2, 2, 4, 4, 4),
    }
    stage_channels = (64, 128, 256, 512, 512)

    def __init__(self,
                 depth: int = 13,
                 out_indices: Sequence[int] = (4, ),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg=DEFAULT_INIT_CFG) -> None:
        super().__init__(init_cfg=init_cfg)
        if depth not in self.arch_settings:
            raise KeyError(f'depth must be one of '
                           f'{sorted(self.arch_settings)}, got {depth}')
        if not set(out_indices) <= set(range(5)):
            raise ValueError(f'out_indices must be in 0..4: {out_indices}')
        self.out_indices = tuple(out_indices)
        self.stages = nn.ModuleList()
        in_channels = 3
        for i, (num_convs, channels) in enumerate(
                zip(self.arch_settings[depth], self.stage_channels)):
            layers = []
            for _ in range(num_convs):
                layers.append(ConvModule(in_channels, channels, 3, 1, 1,
                                         bias=True, norm_cfg=norm_cfg))
                in_channels = channels
            self.stages.append(nn.Sequential(*layers))
        self.pool = nn.MaxPool2d(2, 2)
        self.out_channels = in_channels

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)  # (N, c_i, H / 2^min(i, 3), W / 2^min(i, 3))
            if i in self.out_indices:
                outs.append(x)
            if i < 3:
                x = self.pool(x)
        return tuple(outs)
