# Undistilled student baseline: MMSeg's own SegFormer MiT-B0 config
# (160k, 8 GPUs x 1 image, 1024x1024 crops; mmseg metafile: 76.54 mIoU).
_base_ = [
    'mmseg::segformer/segformer_mit-b0_8xb1-160k_cityscapes-1024x1024.py',  # noqa
    '../_base_/default_runtime.py',
]
