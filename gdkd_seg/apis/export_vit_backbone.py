"""The ViT encoder of an MAE / DMAE / AMD checkpoint as a backbone
checkpoint for MMSeg or MMPretrain."""
import os
import os.path as osp
import re
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from torch import Tensor

from gdkd_seg.checkpoint.atomic_io import atomic_torch_save
from gdkd_seg.checkpoint.plain_data import to_plain
from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint

# backbone entries a pre-trained MAE encoder has no counterpart for; their
# fresh values make the backbone compute what the encoder computes (layer
# scale 1 as MMSeg's mae configs set it, MAEAttention's zero relative
# position bias and its index buffer), or are new by design (MMPretrain's
# norm after average pooling, fine-tuning's `fc_norm`)
NEW_IN_TARGET = re.compile(r'(layers\.\d+\.gamma_[12]'
                           r'|layers\.\d+\.attn\.relative_position_\w+'
                           r'|ln2\.(weight|bias))$')
# encoder entries a target may not have: the final norm, which MMSeg's
# mae configs and MMPretrain's fine-tuning (global pooling) drop
ONLY_IN_ENCODER = re.compile(r'ln1\.(weight|bias)$')
VIT_KEYS = ('cls_token', 'pos_embed', 'patch_embed.projection.weight',
            'layers.0.attn.qkv.weight')


def resize_pos_embed(pos_embed: Tensor, num_tokens: int) -> Tensor:
    """``(1, 1 + h*w, C)`` -> ``(1, num_tokens, C)``: the class token kept,
    the square patch grid resized bicubically (``align_corners=False``),
    as MMSeg's and MMPretrain's ViTs resize a checkpoint's at load time."""
    src, dst = pos_embed.shape[1] - 1, num_tokens - 1
    if src == dst:
        return pos_embed
    s, d = int(src**.5), int(dst**.5)
    if s * s != src or d * d != dst:
        raise ValueError(f'cannot resize a position embedding of {src} '
                         f'patches to {dst}: square grids only')
    grid = pos_embed[:, 1:].reshape(1, s, s, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid.float(), size=(d, d), mode='bicubic',
                         align_corners=False)
    grid = grid.flatten(2).transpose(1, 2).to(pos_embed.dtype)
    return torch.cat([pos_embed[:, :1], grid], dim=1)


def build_target_backbone(config: str) -> torch.nn.Module:
    """The backbone of ``config``'s model, built in the config's scope
    without loading anything (its ``init_cfg`` is dropped)."""
    cfg = Config.fromfile(config)
    backbone = cfg.model.backbone.copy()
    backbone.pop('init_cfg', None)
    backbone.pop('pretrained', None)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        return MODELS.build(backbone)


def match_to(encoder: Dict[str, Tensor], target: Dict[str, Tensor]):
    """``encoder`` with exactly ``target``'s keys and shapes.

    Returns:
        The state dict, the keys taken from ``target`` (see
        ``NEW_IN_TARGET``) and the encoder keys left out (its final norm).

    Raises:
        ValueError: keys or shapes that match neither way (another
            width, depth or patch size; not a ViT).
    """
    out, new, problems = {}, [], []
    for key, value in target.items():
        if key in encoder:
            weight = encoder[key]
            if key == 'pos_embed':
                weight = resize_pos_embed(weight, value.shape[1])
            if weight.shape != value.shape:
                problems.append(f'{key}: {tuple(weight.shape)} in the '
                                f'checkpoint, {tuple(value.shape)} in the '
                                'config')
            out[key] = weight
        elif NEW_IN_TARGET.match(key):
            out[key], new = value.clone(), new + [key]
        else:
            problems.append(f'{key}: not in the checkpoint')
    dropped = [k for k in encoder if k not in target]
    problems += [f'{k}: not in the config\'s backbone' for k in dropped
                 if not ONLY_IN_ENCODER.match(k)]
    if problems:
        raise ValueError(
            f'the checkpoint\'s encoder does not fit the config\'s '
            f'backbone ({len(problems)} problems: {problems[:4]}); is it '
            'the same ViT (width, depth, patch size)?')
    return out, new, dropped


def export_vit_backbone(checkpoint: str,
                        output: str,
                        config: Optional[str] = None,
                        prefix: str = 'backbone.') -> Dict[str, List[str]]:
    """Write the ViT encoder of ``checkpoint`` as a backbone checkpoint.

    The encoder is the ``prefix`` entries of an MMPretrain MAE, DMAE or
    AMD checkpoint (the student; the teacher is never saved). Its keys are
    MMPretrain's ``VisionTransformer`` names, which MMSeg's ``MAE``
    backbone shares.

    With ``config`` (an MMSeg or MMPretrain config whose model has a ViT
    backbone), the output has exactly that backbone's keys and shapes, so
    it loads strictly: the position embedding is resized to the config's
    patch grid, the entries with no pre-trained counterpart (MMSeg's layer
    scale and relative position bias, MMPretrain's post-pooling norm) get
    the backbone's own initial values, and the encoder's final norm is
    left out when the backbone has none. Without ``config`` the encoder
    is written as it is.

    The output (``{'state_dict', 'meta'}``, plain data) is what the
    config's ``init_cfg=dict(type='Pretrained', checkpoint=output)`` (or
    MMSeg's ``model.pretrained``) loads, with no prefix.

    Returns:
        ``new`` (keys taken from the config's backbone) and ``dropped``
        (encoder keys left out), also stored in ``meta``.

    Raises:
        ValueError: no ``prefix`` weights, not a ViT, or an encoder that
            does not fit ``config``.
    """
    ckpt = load_mmengine_checkpoint(checkpoint, logger='silent')
    state = ckpt.get('state_dict', ckpt)
    encoder = {k[len(prefix):]: v for k, v in state.items()
               if k.startswith(prefix)}
    if not all(k in encoder for k in VIT_KEYS):
        raise ValueError(
            f'{checkpoint} has no ViT encoder under {prefix!r} (found '
            f'{len(encoder)} such keys): expected an MMPretrain MAE, DMAE '
            'or AMD checkpoint')
    new, dropped = [], []
    if config is not None:
        target = build_target_backbone(config).state_dict()
        encoder, new, dropped = match_to(encoder, target)
    meta = dict(source=osp.basename(checkpoint), prefix=prefix,
                config=None if config is None else osp.basename(config),
                new=new, dropped=dropped)
    meta.update({k: v for k, v in ckpt.get('meta', {}).items()
                 if k in ('epoch', 'iter', 'mmengine_version')})
    os.makedirs(osp.dirname(osp.abspath(output)), exist_ok=True)
    # plain data, written whole or not at all (a kill leaves no half file)
    atomic_torch_save(to_plain({'state_dict': encoder, 'meta': meta})[0],
                      output)
    return dict(new=new, dropped=dropped)
