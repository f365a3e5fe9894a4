"""Tiny DMAE / AMD models built in memory: 32x32 images of 4x4 patches,
a 16-wide 12-block student, a 32-wide 24-block teacher (random weights,
built from its config as a run builds it)."""
import pytest
import torch
from mmpretrain.registry import MODELS

import gdkd_seg.cls  # noqa: F401  (registrations)


def tiny_mae(dims: int, layers: int) -> dict:
    return dict(
        type='MAE',
        backbone=dict(type='MAEViT',
                      arch=dict(embed_dims=dims, num_layers=layers,
                                num_heads=2, feedforward_channels=2 * dims),
                      img_size=32, patch_size=8, mask_ratio=0.75),
        neck=dict(type='MAEPretrainDecoder', num_patches=16, patch_size=8,
                  embed_dim=dims, decoder_embed_dim=16, decoder_depth=1,
                  decoder_num_heads=2, mlp_ratio=2),
        head=dict(type='MAEPretrainHead', norm_pix=True, patch_size=8,
                  loss=dict(type='PixelReconstructionLoss',
                            criterion='L2')),
        init_cfg=[dict(type='Xavier', layer='Linear',
                       distribution='uniform')])


SETTINGS = dict(
    DMAE=dict(student_layers=(8, ), teacher_layers=(17, )),
    AMD=dict(student_layers=(5, 11), teacher_layers=(11, 23),
             teacher_mask_ratio=0.5))


def build(kind: str, seed: int = 0, **kwargs):
    torch.manual_seed(seed)
    cfg = dict(tiny_mae(16, 12), type=kind, teacher=tiny_mae(32, 24),
               teacher_dims=32, **SETTINGS[kind])
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


@pytest.fixture
def images():
    return torch.randn(4, 3, 32, 32,
                       generator=torch.Generator().manual_seed(1))
