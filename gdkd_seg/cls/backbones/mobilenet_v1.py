"""MobileNetV1 (ImageNet), the student of the ResNet50 -> MobileNetV1
distillation benchmark."""
from typing import Sequence, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

from .init_cfg import DEFAULT_INIT_CFG


@MODELS.register_module()
class MobileNetV1(BaseModule):
    """MobileNetV1 (Howard et al., 2017, Table 1): a stride-2 3x3 conv to
    32 channels, then 13 depthwise-separable blocks (3x3 depthwise
    conv-BN-ReLU, 1x1 conv-BN-ReLU).

    The blocks are grouped into 5 stages by output stride (2, 4, 8, 16,
    32), the stem belonging to stage 0.

    Args:
        widen_factor: channel multiplier (alpha in the paper).
        out_indices: stages (0-4) whose outputs are returned.
        norm_cfg: normalisation layer config.
        init_cfg: MMEngine init config.
    """
    # stages of (output channels, stride) blocks
    arch_settings = [[(64, 1)], [(128, 2), (128, 1)], [(256, 2), (256, 1)],
                     [(512, 2)] + [(512, 1)] * 5, [(1024, 2), (1024, 1)]]

    def __init__(self,
                 widen_factor: float = 1.0,
                 out_indices: Sequence[int] = (4, ),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg=DEFAULT_INIT_CFG) -> None:
        super().__init__(init_cfg=init_cfg)
        if not set(out_indices) <= set(range(5)):
            raise ValueError(f'out_indices must be in 0..4: {out_indices}')
        self.out_indices = tuple(out_indices)
        in_channels = int(32 * widen_factor)
        self.stem = ConvModule(3, in_channels, 3, 2, 1, norm_cfg=norm_cfg)
        self.stages = nn.ModuleList()
        for blocks in self.arch_settings:
            layers = []
            for channels, stride in blocks:
                out_channels = int(channels * widen_factor)
                layers += [
                    ConvModule(in_channels, in_channels, 3, stride, 1,
                               groups=in_channels, norm_cfg=norm_cfg),
                    ConvModule(in_channels, out_channels, 1,
                               norm_cfg=norm_cfg)
                ]
                in_channels = out_channels
            self.stages.append(nn.Sequential(*layers))
        self.out_channels = in_channels

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        x = self.stem(x)  # (N, 32a, H / 2, W / 2)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)  # (N, c_i, H / 2^(i+1), W / 2^(i+1))
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
