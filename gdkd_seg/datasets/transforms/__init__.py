"""Data transforms (registered in MMPretrain's TRANSFORMS)."""
from .mlkd_rand_augment import MLKDRandAugment

__all__ = ['MLKDRandAugment']
