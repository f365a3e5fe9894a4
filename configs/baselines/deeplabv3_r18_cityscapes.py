# Undistilled student baseline: MMSeg's own DeepLabV3-R18-D8 config
# (80k, 512x1024; mmseg metafile: 76.70 mIoU).
_base_ = [
    'mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py',
    '../_base_/default_runtime.py',
]
