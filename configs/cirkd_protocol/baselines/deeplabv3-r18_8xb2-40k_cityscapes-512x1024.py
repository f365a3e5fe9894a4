# DeepLabV3-ResNet18 without distillation under CIRKD's protocol
# (train_baseline.py's defaults; CIRKD README 91735ef: 74.21 val mIoU).
_base_ = [
    '../_base_/models/deeplabv3_r18.py',
    '../_base_/cirkd_protocol.py',
]
