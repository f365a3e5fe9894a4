"""Run an MMPretrain ``MAEViT`` on given visible patches and keep some
blocks' outputs."""
from typing import List, Sequence, Tuple

import torch
from mmpretrain.models import MAEViT
from torch import Tensor


def encode_visible(vit: MAEViT, inputs: Tensor, ids_keep: Tensor,
                   layers: Sequence[int], full: bool = True
                   ) -> Tuple[Tensor, List[Tensor]]:
    """What ``MAEViT.forward`` computes on the patches ``ids_keep``,
    plus the outputs of the blocks ``layers``.

    The same steps as ``MAEViT.forward`` with its own masking replaced by
    the given indices: patch embedding, position embedding, the kept
    patches, the class token, the blocks, the final norm.

    Args:
        vit: an MMPretrain ``MAEViT`` (MAE's encoder).
        inputs: ``(N, 3, H, W)`` images.
        ids_keep: ``(N, n)`` indices of the visible patches, in the order
            their tokens take.
        layers: 0-indexed blocks whose outputs to return (MMPretrain's
            ``out_indices`` convention), before any final norm.
        full: run every block and the final norm (the student); with
            ``False`` stop after the deepest block in ``layers`` (a
            teacher that only lends features).

    Returns:
        ``(N, 1 + n, C)`` tokens after the last block run (after the
        final norm when ``full``), class token first; and the
        ``(N, 1 + n, C)`` output of each block in ``layers``, in order.
    """
    x = vit.patch_embed(inputs)[0]  # (N, L, C)
    x = x + vit.pos_embed[:, 1:, :]
    x = torch.gather(
        x, 1, ids_keep.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
    cls_token = vit.cls_token + vit.pos_embed[:, :1, :]
    x = torch.cat([cls_token.expand(x.shape[0], -1, -1), x], dim=1)
    wanted = sorted(set(layers))
    depth = len(vit.layers) if full else wanted[-1] + 1
    found = {}
    for i, layer in enumerate(vit.layers[:depth]):
        x = layer(x)
        if i in wanted:
            found[i] = x
    if full:
        x = vit.norm1(x)
    return x, [found[i] for i in layers]
