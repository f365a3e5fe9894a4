"""The offline demo benchmark (builder and registered dataset) and, with
MMPretrain (the ``cls`` extra), MLKD's strong-view transform."""
from gdkd_seg.utils.extras import has_mmpretrain

from .demo_digits import build_demo_digits
from .demo_digits_dataset import DemoDigitsDataset

__all__ = ['build_demo_digits', 'DemoDigitsDataset']

if has_mmpretrain():
    from . import transforms  # noqa: F401  (registers MLKDRandAugment)
