# Undistilled student baseline: MMSeg's own PSPNet-R18-D8 config
# (80k, 512x1024; mmseg metafile: 74.87 mIoU).
_base_ = [
    'mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py',
    '../_base_/default_runtime.py',
]
