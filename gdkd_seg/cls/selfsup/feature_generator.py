"""AMD's generator: predicts the teacher's features on the patches only
the teacher sees, from the student's projected features."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.models.backbones.vision_transformer import \
    TransformerEncoderLayer
from mmpretrain.models.utils import build_2d_sincos_position_embedding
from mmpretrain.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class MaskedFeatureGenerator(BaseModule):
    """A small transformer at the teacher's width, in the manner of MAE's
    decoder: the student's tokens and a learnt mask token at each patch to
    predict, each plus a fixed 2-D sin-cos position embedding, go through
    ``depth`` blocks; the outputs at the patches to predict are returned.

    Args:
        embed_dims: the teacher's width (the projected student features'
            too).
        num_patches: patches per image (a square grid).
        depth: transformer blocks (AMD: 2).
        num_heads: attention heads; by default ``embed_dims // 64`` (at
            least 1), as AMD's generator.
        mlp_ratio: hidden width of the blocks' MLPs over ``embed_dims``.
        init_cfg: MMEngine's init config.
    """

    def __init__(self,
                 embed_dims: int,
                 num_patches: int,
                 depth: int = 2,
                 num_heads: Optional[int] = None,
                 mlp_ratio: float = 4.,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_heads is None:
            num_heads = max(embed_dims // 64, 1)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, embed_dims))
        # (1, 1 + L, C), the class token's row all zeros; fixed, rebuilt
        # from the shape, hence not saved
        self.register_buffer(
            'pos_embed',
            build_2d_sincos_position_embedding(
                int(num_patches**.5), embed_dims, cls_token=True).float(),
            persistent=False)
        self.blocks = nn.ModuleList([
            TransformerEncoderLayer(
                embed_dims, num_heads, int(mlp_ratio * embed_dims),
                qkv_bias=True, norm_cfg=dict(type='LN', eps=1e-6))
            for _ in range(depth)
        ])

    def init_weights(self) -> None:
        super().init_weights()
        nn.init.normal_(self.mask_token, std=.02)

    def forward(self, x: Tensor, ids_visible: Tensor,
                ids_predict: Tensor) -> Tensor:
        """Predict features at ``ids_predict``.

        Args:
            x: ``(N, 1 + n, C)`` projected student tokens, class token
                first, then the patches ``ids_visible`` in that order.
            ids_visible: ``(N, n)`` patch indices of ``x[:, 1:]``.
            ids_predict: ``(N, m)`` patch indices to predict.

        Returns:
            ``(N, m, C)`` the predictions, in the order of
            ``ids_predict``.
        """
        n, c = x.shape[0], x.shape[-1]
        pos = self.pos_embed.expand(n, -1, -1).to(x.dtype)
        patch_pos = pos[:, 1:]

        def at(ids):  # (N, k) patch indices -> (N, k, C) embeddings
            return patch_pos.gather(1, ids.unsqueeze(-1).expand(-1, -1, c))

        visible = x + torch.cat([pos[:, :1], at(ids_visible)], dim=1)
        queries = self.mask_token.to(x.dtype) + at(ids_predict)
        x = torch.cat([visible, queries], dim=1)  # (N, 1 + n + m, C)
        for block in self.blocks:
            x = block(x)
        return x[:, -ids_predict.shape[1]:]
