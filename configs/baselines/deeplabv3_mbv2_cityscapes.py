# Undistilled student baseline: MMSeg's own DeepLabV3-MobileNetV2-D8 config
# (80k, 512x1024).
_base_ = [
    'mmseg::mobilenet_v2/mobilenet-v2-d8_deeplabv3_4xb2-80k_cityscapes-512x1024.py',  # noqa
    '../_base_/default_runtime.py',
]
