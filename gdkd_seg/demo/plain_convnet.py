"""A plain VGG-style conv net: the small backbone of the offline demo."""
from typing import Sequence, Tuple

import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class PlainConvNet(BaseModule):
    """Stages of 3x3 conv-BN-ReLU, each opened by a stride-2 conv.

    Trained from scratch on the demo benchmark it learns several times
    faster per iteration than a thin ResNet-18-D8, and each iteration is
    cheaper on a CPU (docs, "Demo").

    Args:
        widths: output channels of each stage.
        depths: number of convs in each stage.
        out_indices: stages whose outputs are returned; stage ``i`` has
            output stride ``2 ** (i + 1)``.
        norm_cfg: normalisation layer config.
        init_cfg: MMEngine init config; ``None`` keeps PyTorch's default
            initialisation, with which this net trains from scratch
            several times faster than with MMCV's Kaiming (fan-out)
            one (docs, "Demo").
    """

    def __init__(self,
                 widths: Sequence[int] = (16, 32, 64),
                 depths: Sequence[int] = (2, 2, 3),
                 out_indices: Sequence[int] = (1, 2),
                 norm_cfg: dict = dict(type='BN', requires_grad=True),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(widths) != len(depths) or min(depths) < 1:
            raise ValueError('widths and depths need one entry (>= 1) per '
                             f'stage, got {widths} and {depths}')
        self.out_indices = tuple(out_indices)
        self.stages = nn.ModuleList()
        in_channels = 3
        for width, depth in zip(widths, depths):
            layers = []
            for i in range(depth):
                layers += [
                    nn.Conv2d(in_channels, width, 3, stride=2 if i == 0 else
                              1, padding=1, bias=False),
                    build_norm_layer(norm_cfg, width)[1],
                    nn.ReLU(inplace=True)
                ]
                in_channels = width
            self.stages.append(nn.Sequential(*layers))

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)  # (N, widths[i], H / 2^(i+1), W / 2^(i+1))
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
