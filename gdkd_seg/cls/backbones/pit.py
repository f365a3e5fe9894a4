"""PiT, the pooling-based vision transformer (Heo et al., "Rethinking
Spatial Dimensions of Vision Transformers", ICCV 2021), a student of the
logit-standardization paper's CIFAR-100 ViT table."""
import math
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model.weight_init import trunc_normal_
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.models.backbones.vision_transformer import \
    TransformerEncoderLayer
from mmpretrain.registry import MODELS
from torch import Tensor


class TokenPooling(nn.Module):
    """Between two stages: halve the token grid and widen the tokens.

    A depthwise stride-2 convolution (kernel 3, ``out // in`` filters per
    input channel) for the patch tokens; a linear layer for the class
    token, which has no spatial position (Sec. 3.2 of the paper).
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, 2, 1,
                              groups=in_channels)
        self.fc = nn.Linear(in_channels, out_channels)

    def forward(self, x: Tensor, cls: Tensor) -> Tuple[Tensor, Tensor]:
        return self.conv(x), self.fc(cls)


@MODELS.register_module()
class PiT(BaseBackbone):
    """Pooling-based vision transformer.

    A strided convolution cuts the image into overlapping patches; three
    stages of transformer layers follow, each on the patch tokens plus the
    class token, with a :class:`TokenPooling` between stages (token grid
    halved, width doubled). Output: the class token after a final
    LayerNorm.

    Architectures (``arch``: patch, stride, base width, depths, heads; the
    stage widths are ``base * heads``), from the paper's Table 3:
    ``'tiny'`` (PiT-Ti, 4.9M parameters with the 1000-way head),
    ``'xs'`` (10.6M), ``'small'`` (23.5M), ``'base'`` (73.8M).

    Args:
        arch: one of :attr:`arch_zoo`.
        img_size: input size the position embedding is made for (other
            sizes interpolate it bicubically).
        in_channels: image channels.
        mlp_ratio: hidden width of the feed-forward layers over the
            token width.
        drop_rate: dropout after the position embedding and in the
            layers.
        attn_drop_rate: dropout on the attention weights.
        drop_path_rate: stochastic depth; layer ``i`` of ``n`` drops with
            probability ``drop_path_rate * i / n`` (the official code's
            rule: the last layer stays below ``drop_path_rate``).
        norm_cfg: the LayerNorm config (eps 1e-6 as upstream).
        init_cfg: MMEngine init config (the class token and the position
            embedding are drawn from a N(0, 0.02) truncated at 2 std).
    """
    arch_zoo = {
        # name: (patch, stride, base width, depths, heads)
        'tiny': (16, 8, 32, (2, 6, 4), (2, 4, 8)),
        'xs': (16, 8, 48, (2, 6, 4), (2, 4, 8)),
        'small': (16, 8, 48, (2, 6, 4), (3, 6, 12)),
        'base': (14, 7, 64, (3, 6, 4), (4, 8, 16)),
    }

    def __init__(self,
                 arch: str = 'tiny',
                 img_size: int = 224,
                 in_channels: int = 3,
                 mlp_ratio: float = 4.,
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if arch not in self.arch_zoo:
            raise KeyError(f'unknown PiT arch {arch!r}; choose from '
                           f'{sorted(self.arch_zoo)}')
        patch, stride, base, depths, heads = self.arch_zoo[arch]
        widths = [base * h for h in heads]
        side = math.floor((img_size - patch) / stride + 1)
        self.patch_embed = nn.Conv2d(in_channels, widths[0], patch, stride)
        self.pos_embed = nn.Parameter(torch.zeros(1, widths[0], side, side))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, widths[0]))
        self.drop_after_pos = nn.Dropout(drop_rate)
        total, done = sum(depths), 0
        self.stages = nn.ModuleList()
        self.pools = nn.ModuleList()
        for s, (depth, width) in enumerate(zip(depths, widths)):
            self.stages.append(nn.ModuleList([
                TransformerEncoderLayer(
                    embed_dims=width,
                    num_heads=heads[s],
                    feedforward_channels=int(width * mlp_ratio),
                    drop_rate=drop_rate,
                    attn_drop_rate=attn_drop_rate,
                    drop_path_rate=drop_path_rate * (done + i) / total,
                    qkv_bias=True,
                    norm_cfg=norm_cfg) for i in range(depth)
            ]))
            done += depth
            if s < len(depths) - 1:
                self.pools.append(TokenPooling(width, widths[s + 1]))
        self.norm = build_norm_layer(norm_cfg, widths[-1])[1]
        self.embed_dims = widths[-1]

    def init_weights(self) -> None:
        super().init_weights()
        if not (isinstance(self.init_cfg, dict)
                and self.init_cfg['type'] == 'Pretrained'):
            trunc_normal_(self.pos_embed, std=.02)
            trunc_normal_(self.cls_token, std=.02)

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        x = self.patch_embed(x)  # (N, C0, h, w)
        pos = self.pos_embed
        if pos.shape[-2:] != x.shape[-2:]:
            pos = F.interpolate(pos, size=x.shape[-2:], mode='bicubic',
                                align_corners=False)
        x = self.drop_after_pos(x + pos)
        cls = self.cls_token.expand(x.shape[0], -1, -1)  # (N, 1, C0)
        for s, layers in enumerate(self.stages):
            n, c, h, w = x.shape
            tokens = torch.cat([cls, x.flatten(2).transpose(1, 2)], dim=1)
            for layer in layers:
                tokens = layer(tokens)  # (N, 1 + h * w, C_s)
            cls = tokens[:, :1]
            x = tokens[:, 1:].transpose(1, 2).reshape(n, c, h, w)
            if s < len(self.pools):
                x, cls = self.pools[s](x, cls)  # (N, 2C, h / 2, w / 2)
        return (self.norm(cls[:, 0]), )  # (N, C_last)
