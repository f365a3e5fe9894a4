"""Wide ResNets for CIFAR (WRN-16-2, WRN-40-1, WRN-40-2, ...)."""
from typing import Sequence, Tuple

import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

from .init_cfg import DEFAULT_INIT_CFG


class PreActBlock(nn.Module):
    """BN-ReLU-conv3x3 twice (pre-activation, He et al., 2016b).

    When the shape changes, the shortcut is a 1x1 conv of the activated
    input (Zagoruyko & Komodakis, 2016).

    Args:
        in_channels: input channels.
        out_channels: output channels.
        stride: stride of the first conv.
        drop_rate: dropout between the two convs.
        norm_cfg: normalisation layer config.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 drop_rate: float, norm_cfg: dict) -> None:
        super().__init__()
        self.bn1 = build_norm_layer(norm_cfg, in_channels)[1]
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1,
                               bias=False)
        self.bn2 = build_norm_layer(norm_cfg, out_channels)[1]
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1,
                               bias=False)
        self.relu = nn.ReLU(inplace=True)
        self.dropout = nn.Dropout(drop_rate) if drop_rate > 0 else None
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride,
                                      bias=False)

    def forward(self, x: Tensor) -> Tensor:
        act = self.relu(self.bn1(x))
        out = self.relu(self.bn2(self.conv1(act)))
        if self.dropout is not None:
            out = self.dropout(out)
        out = self.conv2(out)
        return out + (x if self.shortcut is None else self.shortcut(act))


@MODELS.register_module()
class CIFARWideResNet(BaseModule):
    """WRN-``depth``-``widen_factor`` for 32x32 inputs.

    A 3x3 conv to 16 channels, three stages of ``(depth - 4) / 6``
    pre-activation blocks with ``16k, 32k, 64k`` channels at strides
    1, 2, 2, then BN-ReLU (Zagoruyko & Komodakis, BMVC 2016).

    Args:
        depth: ``6n + 4`` (16, 28, 40, ...).
        widen_factor: channel multiplier ``k``.
        drop_rate: dropout inside the blocks (0 in the KD benchmark).
        out_indices: stages (0-2) whose outputs are returned; the last
            stage's output includes the final BN-ReLU.
        norm_cfg: normalisation layer config.
        init_cfg: MMEngine init config.
    """

    def __init__(self,
                 depth: int = 40,
                 widen_factor: int = 2,
                 drop_rate: float = 0.0,
                 out_indices: Sequence[int] = (2, ),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg=DEFAULT_INIT_CFG) -> None:
        super().__init__(init_cfg=init_cfg)
        if (depth - 4) % 6:
            raise ValueError(f'depth must be 6n + 4, got {depth}')
        if not set(out_indices) <= {0, 1, 2}:
            raise ValueError(f'out_indices must be in 0..2: {out_indices}')
        num_blocks = (depth - 4) // 6
        widths = [16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        self.out_indices = tuple(out_indices)
        self.stem = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.stages = nn.ModuleList()
        in_channels = 16
        for i, out_channels in enumerate(widths):
            blocks = []
            for j in range(num_blocks):
                stride = 2 if i > 0 and j == 0 else 1
                blocks.append(PreActBlock(in_channels, out_channels, stride,
                                          drop_rate, norm_cfg))
                in_channels = out_channels
            self.stages.append(nn.Sequential(*blocks))
        # pre-activation blocks end on a conv: normalise the last output
        self.final_norm = build_norm_layer(norm_cfg, widths[-1])[1]
        self.relu = nn.ReLU(inplace=True)
        self.out_channels = widths[-1]

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        x = self.stem(x)  # (N, 16, H, W)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)  # (N, 16k * 2^i, H / 2^i, W / 2^i)
            if i == len(self.stages) - 1:
                x = self.relu(self.final_norm(x))
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
