# DeepLabV3-MobileNetV2 without distillation under CIRKD's protocol
# (train_baseline.py's defaults; CIRKD README 91735ef: 73.12 val mIoU).
_base_ = [
    '../_base_/models/deeplabv3_mbv2.py',
    '../_base_/cirkd_protocol.py',
]
