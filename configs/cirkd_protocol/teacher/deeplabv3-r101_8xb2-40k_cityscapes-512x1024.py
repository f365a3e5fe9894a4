# CIRKD's teacher DeepLabV3-ResNet101 under CIRKD's protocol. Evaluate the
# converted checkpoint (CIRKD README 91735ef: 78.07 val mIoU) with
# `tools/test.py THIS_CONFIG checkpoints/cirkd/deeplabv3_r101_cityscapes.pth`,
# or train it from CIRKD's ImageNet ResNet-101
# (train_scripts/train_baseline/citys/deeplabv3_res101.sh: train_baseline.py's
# defaults).
_base_ = [
    '../_base_/models/deeplabv3_r101.py',
    '../_base_/cirkd_protocol.py',
]
