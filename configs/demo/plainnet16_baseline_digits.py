# Demo baseline: our undistilled DeepLabV3-R18-D8 Cityscapes config with the
# demo's data and the demo student (PlainConvNet x16).
_base_ = ['./_base_/plain_digits.py']
