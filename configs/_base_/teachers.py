# Teachers of the Cityscapes configs: MMSeg's own model-zoo checkpoints
# (80k, 512x1024, val mIoU as reported in mmseg's metafile.yaml).
# DeepLabV3-R101-D8: 80.20 mIoU; PSPNet-R101-D8: 79.76 mIoU.
deeplabv3_r101 = 'mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py'  # noqa
deeplabv3_r101_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_80k_cityscapes/deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth'  # noqa
pspnet_r101 = 'mmseg::pspnet/pspnet_r101-d8_4xb2-80k_cityscapes-512x1024.py'
pspnet_r101_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x1024_80k_cityscapes/pspnet_r101-d8_512x1024_80k_cityscapes_20200606_112211-e1e1100f.pth'  # noqa
