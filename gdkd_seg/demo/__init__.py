"""The offline demo (tools/demo.py): paired students, held-out test mIoU,
intervals, tables and plots.

Importing it (the demo configs' ``custom_imports``) registers the demo's
dataset and backbone in MMSeg's registries; ``import gdkd_seg`` does not.
"""
from .digits import build_demo_digits
from .digits_dataset import DemoDigitsDataset
from .plain_convnet import PlainConvNet

__all__ = ['build_demo_digits', 'DemoDigitsDataset', 'PlainConvNet']
