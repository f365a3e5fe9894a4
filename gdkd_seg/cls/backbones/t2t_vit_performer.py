"""T2T-ViT-7/10/12: Tokens-to-Token ViT (Yuan et al., ICCV 2021) with the
Performer T2T module the small variants are published with. MMPretrain's
``T2T_ViT`` has the transformer T2T module only (its ``use_performer``
raises ``NotImplementedError``); this backbone keeps its encoder and swaps
in a Performer T2T module. T2T-ViT-7 is a student of the
logit-standardization paper's CIFAR-100 ViT table."""
import math
from typing import Tuple

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.models.backbones.t2t_vit import T2T_ViT
from mmpretrain.registry import MODELS
from torch import Tensor


class PerformerTokenLayer(BaseModule):
    """One re-structurization layer of the T2T module: single-head
    attention approximated with positive random features (Performer,
    Choromanski et al., ICLR 2021), a shortcut from the values (the width
    changes) and a width-preserving MLP.

    With ``phi(x) = exp(W x - |x|^2 / 2) / sqrt(m)`` for ``m`` fixed
    orthogonal random directions ``W`` (rows of norm ``sqrt(m)``), the
    attention output of token ``i`` is
    ``phi(q_i) . sum_j phi(k_j) v_j^T / (phi(q_i) . sum_j phi(k_j))``:
    linear in the number of tokens.

    Args:
        input_dims: width of the incoming (unfolded) tokens.
        embed_dims: width of the outgoing tokens.
        kernel_ratio: ``m / embed_dims`` (0.5 upstream).
        drop_rate: dropout after the attention projection and the MLP.
        norm_cfg: LayerNorm config (PyTorch's default eps, as upstream).
    """

    def __init__(self,
                 input_dims: int,
                 embed_dims: int,
                 kernel_ratio: float = 0.5,
                 drop_rate: float = 0.,
                 norm_cfg: dict = dict(type='LN')) -> None:
        super().__init__()
        self.ln1 = build_norm_layer(norm_cfg, input_dims)[1]
        self.kqv = nn.Linear(input_dims, 3 * embed_dims)
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.drop = nn.Dropout(drop_rate)
        self.ln2 = build_norm_layer(norm_cfg, embed_dims)[1]
        self.mlp = nn.Sequential(
            nn.Linear(embed_dims, embed_dims), nn.GELU(),
            nn.Linear(embed_dims, embed_dims), nn.Dropout(drop_rate))
        m = int(embed_dims * kernel_ratio)
        # fixed random features: a buffer, so checkpoints carry them
        directions = nn.init.orthogonal_(torch.empty(m, embed_dims))
        self.register_buffer('directions', directions * math.sqrt(m))

    def features(self, x: Tensor) -> Tensor:
        """``phi(x)``: ``(N, L, C)`` -> ``(N, L, m)``, in float32 (the
        exponent overflows in half precision)."""
        x = x.float()
        m = self.directions.shape[0]
        sq = 0.5 * x.pow(2).sum(-1, keepdim=True)
        return torch.exp(x @ self.directions.float().t() - sq) / math.sqrt(m)

    def attention(self, x: Tensor) -> Tensor:
        k, q, v = self.kqv(x).chunk(3, dim=-1)  # (N, L, C) each
        kp, qp = self.features(k), self.features(q)  # (N, L, m)
        norm = qp @ kp.sum(1).unsqueeze(-1)  # (N, L, 1)
        kv = kp.transpose(1, 2) @ v.float()  # (N, m, C)
        y = (qp @ kv) / (norm + 1e-8)  # (N, L, C)
        return v + self.drop(self.proj(y.to(v.dtype)))

    def forward(self, x: Tensor) -> Tensor:
        x = self.attention(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class PerformerT2TModule(BaseModule):
    """Image -> tokens by three soft splits (unfold 7x7 stride 4, then
    3x3 stride 2 twice), each re-structured by a
    :class:`PerformerTokenLayer`, then projected to the encoder width.

    Args:
        img_size: the input size the position embedding is made for.
        in_channels: image channels.
        embed_dims: encoder width.
        token_dims: width of the intermediate tokens (64 upstream).
    """

    def __init__(self, img_size: int = 224, in_channels: int = 3,
                 embed_dims: int = 256, token_dims: int = 64) -> None:
        super().__init__()
        self.soft_split0 = nn.Unfold(kernel_size=7, stride=4, padding=2)
        self.soft_split1 = nn.Unfold(kernel_size=3, stride=2, padding=1)
        self.soft_split2 = nn.Unfold(kernel_size=3, stride=2, padding=1)
        self.attention1 = PerformerTokenLayer(in_channels * 49, token_dims)
        self.attention2 = PerformerTokenLayer(token_dims * 9, token_dims)
        self.project = nn.Linear(token_dims * 9, embed_dims)
        side = img_size // 16
        self.init_out_size = [side, side]
        self.num_patches = side * side

    @staticmethod
    def _after(unfold: nn.Unfold, hw: Tuple[int, int]) -> Tuple[int, int]:
        k, s, p = unfold.kernel_size, unfold.stride, unfold.padding
        return tuple((d + 2 * p - k) // s + 1 for d in hw)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tuple[int, int]]:
        hw = self._after(self.soft_split0, x.shape[-2:])
        x = self.soft_split0(x).transpose(1, 2)  # (N, h * w, 49 C_in)
        for layer, split in ((self.attention1, self.soft_split1),
                             (self.attention2, self.soft_split2)):
            x = layer(x).transpose(1, 2)  # (N, token_dims, h * w)
            x = x.reshape(x.shape[0], x.shape[1], *hw)
            hw = self._after(split, hw)
            x = split(x).transpose(1, 2)  # (N, h * w / 4, 9 token_dims)
        return self.project(x), hw  # (N, h * w, embed_dims)


@MODELS.register_module()
class PerformerT2TViT(T2T_ViT):
    """T2T-ViT with the Performer T2T module (T2T-ViT-7/10/12).

    The encoder is MMPretrain's ``T2T_ViT`` (sinusoidal position
    embedding, class token, pre-norm layers without qkv bias); ``arch``
    sets its width, depth, heads and MLP width as the official
    ``t2t_vit_7/10/12`` (width 256, 4 heads, MLP ratio 2; depth 7, 10,
    12), whose published parameter counts with the 1000-way head are
    4.3M, 5.9M and 6.9M (the T2T-ViT repository's model table).

    Args:
        arch: ``'t2t-vit-7'``, ``'t2t-vit-10'`` or ``'t2t-vit-12'``.
        img_size: input size the position embedding is made for.
        in_channels: image channels.
        token_dims: width of the T2T module's tokens.
        **kwargs: ``T2T_ViT``'s other arguments (``drop_path_rate``,
            ``out_type``, ``init_cfg``, ...).
    """
    arch_zoo = {'t2t-vit-7': 7, 't2t-vit-10': 10, 't2t-vit-12': 12}

    def __init__(self,
                 arch: str = 't2t-vit-7',
                 img_size: int = 224,
                 in_channels: int = 3,
                 token_dims: int = 64,
                 **kwargs) -> None:
        if arch not in self.arch_zoo:
            raise KeyError(f'unknown T2T-ViT arch {arch!r}; choose from '
                           f'{sorted(self.arch_zoo)}')
        embed_dims = 256
        super().__init__(
            img_size=img_size, in_channels=in_channels,
            embed_dims=embed_dims, num_layers=self.arch_zoo[arch],
            layer_cfgs=dict(num_heads=4,
                            feedforward_channels=2 * embed_dims),
            t2t_cfg=dict(token_dims=token_dims), **kwargs)
        # MMPretrain built its transformer T2T module; replace it
        self.tokens_to_token = PerformerT2TModule(
            img_size, in_channels, embed_dims, token_dims)
