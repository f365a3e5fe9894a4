"""The offline demo benchmark (builder and registered dataset) and data
transforms."""
from . import transforms  # noqa: F401  (registers MLKDRandAugment)
from .demo_digits import build_demo_digits
from .demo_digits_dataset import DemoDigitsDataset

__all__ = ['build_demo_digits', 'DemoDigitsDataset']
