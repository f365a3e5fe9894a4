"""PVT (v1), the pyramid vision transformer for classification (Wang et
al., "Pyramid Vision Transformer", ICCV 2021), a student of the
logit-standardization paper's CIFAR-100 ViT table."""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks.drop import build_dropout
from mmcv.cnn.bricks.transformer import FFN
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.models.utils import resize_pos_embed
from mmpretrain.registry import MODELS
from torch import Tensor


class SpatialReductionAttention(BaseModule):
    """Multi-head attention whose keys and values come from the token grid
    shrunk ``sr_ratio`` times by a strided convolution (+ LayerNorm), so a
    stage at stride 4 can attend globally (Sec. 3.3 of the paper).

    Args:
        embed_dims: token width.
        num_heads: attention heads.
        sr_ratio: spatial reduction of keys and values (1: none).
        qkv_bias: biases on the query and key/value projections.
        attn_drop: dropout on the attention weights.
        proj_drop: dropout after the output projection.
        norm_cfg: the LayerNorm after the reduction.
    """

    def __init__(self, embed_dims: int, num_heads: int, sr_ratio: int,
                 qkv_bias: bool, attn_drop: float, proj_drop: float,
                 norm_cfg: dict) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.sr_ratio = sr_ratio
        self.attn_drop = attn_drop
        self.q = nn.Linear(embed_dims, embed_dims, bias=qkv_bias)
        self.kv = nn.Linear(embed_dims, 2 * embed_dims, bias=qkv_bias)
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.proj_drop = nn.Dropout(proj_drop)
        if sr_ratio > 1:
            self.sr = nn.Conv2d(embed_dims, embed_dims, sr_ratio, sr_ratio)
            self.norm = build_norm_layer(norm_cfg, embed_dims)[1]

    def forward(self, x: Tensor, hw: Tuple[int, int]) -> Tensor:
        n, length, c = x.shape
        kv_in = x
        if self.sr_ratio > 1:
            # only the last stage has a class token, and it has sr_ratio 1
            grid = x.transpose(1, 2).reshape(n, c, *hw)
            kv_in = self.norm(self.sr(grid).flatten(2).transpose(1, 2))
        heads = self.num_heads
        q = self.q(x).reshape(n, length, heads, -1).transpose(1, 2)
        k, v = self.kv(kv_in).reshape(n, -1, 2, heads,
                                      c // heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(
            q, k, v, dropout_p=self.attn_drop if self.training else 0.)
        out = out.transpose(1, 2).reshape(n, length, c)  # (N, L, C)
        return self.proj_drop(self.proj(out))


class PVTBlock(BaseModule):
    """Pre-norm transformer layer with spatial-reduction attention."""

    def __init__(self, embed_dims: int, num_heads: int, mlp_ratio: float,
                 sr_ratio: int, drop_rate: float, attn_drop_rate: float,
                 drop_path_rate: float, norm_cfg: dict) -> None:
        super().__init__()
        self.ln1 = build_norm_layer(norm_cfg, embed_dims)[1]
        self.attn = SpatialReductionAttention(
            embed_dims, num_heads, sr_ratio, True, attn_drop_rate,
            drop_rate, norm_cfg)
        self.drop_path = build_dropout(
            dict(type='DropPath', drop_prob=drop_path_rate))
        self.ln2 = build_norm_layer(norm_cfg, embed_dims)[1]
        self.ffn = FFN(
            embed_dims=embed_dims,
            feedforward_channels=int(embed_dims * mlp_ratio),
            ffn_drop=drop_rate,
            dropout_layer=dict(type='DropPath', drop_prob=drop_path_rate))

    def forward(self, x: Tensor, hw: Tuple[int, int]) -> Tensor:
        x = x + self.drop_path(self.attn(self.ln1(x), hw))
        return self.ffn(self.ln2(x), identity=x)


@MODELS.register_module()
class PVT(BaseBackbone):
    """Pyramid vision transformer (v1) for classification.

    Four stages at strides 4, 8, 16, 32: each embeds non-overlapping
    patches of the previous grid (conv + LayerNorm), adds its own learned
    position embedding and runs its transformer layers; the class token
    joins in the last stage only. Output: the class token after a final
    LayerNorm.

    Architectures (the paper's Table 1; parameters with the 1000-way
    head): ``'tiny'`` (13.2M), ``'small'`` (24.5M), ``'medium'`` (44.2M),
    ``'large'`` (61.4M), all with patch sizes 4, 2, 2, 2, widths 64, 128,
    320, 512, heads 1, 2, 5, 8, MLP ratios 8, 8, 4, 4 and spatial
    reductions 8, 4, 2, 1.

    Args:
        arch: one of :attr:`arch_zoo`.
        img_size: input size the position embeddings are made for (other
            sizes interpolate them bilinearly, as the official code).
        in_channels: image channels.
        drop_rate: dropout after the position embeddings and in the
            layers.
        attn_drop_rate: dropout on the attention weights.
        drop_path_rate: stochastic depth, linear over all layers.
        norm_cfg: the LayerNorm config (eps 1e-6 as upstream).
        init_cfg: MMEngine init config (class token and position
            embeddings are drawn from a N(0, 0.02) truncated at 2 std).
    """
    arch_zoo = {'tiny': (2, 2, 2, 2), 'small': (3, 4, 6, 3),
                'medium': (3, 4, 18, 3), 'large': (3, 8, 27, 3)}
    patch_sizes = (4, 2, 2, 2)
    widths = (64, 128, 320, 512)
    heads = (1, 2, 5, 8)
    mlp_ratios = (8, 8, 4, 4)
    sr_ratios = (8, 4, 2, 1)

    def __init__(self,
                 arch: str = 'tiny',
                 img_size: int = 224,
                 in_channels: int = 3,
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if arch not in self.arch_zoo:
            raise KeyError(f'unknown PVT arch {arch!r}; choose from '
                           f'{sorted(self.arch_zoo)}')
        depths: Sequence[int] = self.arch_zoo[arch]
        rates = torch.linspace(0, drop_path_rate, sum(depths)).tolist()
        self.patch_embeds = nn.ModuleList()
        self.embed_norms = nn.ModuleList()
        self.pos_embeds = nn.ParameterList()
        self.stages = nn.ModuleList()
        self.grids = []
        side, channels = img_size, in_channels
        for s, depth in enumerate(depths):
            patch, width = self.patch_sizes[s], self.widths[s]
            side //= patch
            self.grids.append((side, side))
            self.patch_embeds.append(nn.Conv2d(channels, width, patch, patch))
            self.embed_norms.append(build_norm_layer(norm_cfg, width)[1])
            extra = int(s == len(depths) - 1)  # the class token
            self.pos_embeds.append(
                nn.Parameter(torch.zeros(1, side * side + extra, width)))
            first = sum(depths[:s])
            self.stages.append(nn.ModuleList([
                PVTBlock(width, self.heads[s], self.mlp_ratios[s],
                         self.sr_ratios[s], drop_rate, attn_drop_rate,
                         rates[first + i], norm_cfg) for i in range(depth)
            ]))
            channels = width
        self.cls_token = nn.Parameter(torch.zeros(1, 1, self.widths[-1]))
        self.drop_after_pos = nn.Dropout(drop_rate)
        self.norm = build_norm_layer(norm_cfg, self.widths[-1])[1]
        self.embed_dims = self.widths[-1]

    def init_weights(self) -> None:
        super().init_weights()
        if not (isinstance(self.init_cfg, dict)
                and self.init_cfg['type'] == 'Pretrained'):
            for pos in self.pos_embeds:
                trunc_normal_(pos, std=.02)
            trunc_normal_(self.cls_token, std=.02)

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        n = x.shape[0]
        last = len(self.stages) - 1
        for s, layers in enumerate(self.stages):
            x = self.patch_embeds[s](x)  # (N, C_s, h, w)
            hw = tuple(x.shape[-2:])
            x = self.embed_norms[s](x.flatten(2).transpose(1, 2))
            extra = int(s == last)
            if extra:
                x = torch.cat([self.cls_token.expand(n, -1, -1), x], dim=1)
            pos = resize_pos_embed(self.pos_embeds[s], self.grids[s], hw,
                                   mode='bilinear', num_extra_tokens=extra)
            x = self.drop_after_pos(x + pos)  # (N, extra + h * w, C_s)
            for layer in layers:
                x = layer(x, hw)
            if s < last:
                x = x.transpose(1, 2).reshape(n, -1, *hw)
        return (self.norm(x)[:, 0], )  # (N, 512)
