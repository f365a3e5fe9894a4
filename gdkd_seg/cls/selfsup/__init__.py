"""Masked-image-modeling distillation on MMPretrain's MAE (MMPretrain's
``selfsup`` naming): DMAE and AMD pre-train a small ViT as an MAE while a
frozen, larger MAE teaches its intermediate features.

Imported by ``gdkd_seg.cls`` (the classification extra); the configs are
in ``configs/mim``.
"""
from .amd import AMD
from .dmae import DMAE
from .feature_generator import MaskedFeatureGenerator
from .masked_distiller import MaskedDistiller

__all__ = ['AMD', 'DMAE', 'MaskedDistiller', 'MaskedFeatureGenerator']
