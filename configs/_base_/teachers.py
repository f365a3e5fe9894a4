# Teachers of the Cityscapes configs: MMSeg's own model-zoo checkpoints
# (80k, 512x1024, val mIoU as reported in mmseg's metafile.yaml).
# DeepLabV3-R101-D8: 80.20 mIoU; PSPNet-R101-D8: 79.76 mIoU.
deeplabv3_r101 = 'mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py'  # noqa
deeplabv3_r101_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_80k_cityscapes/deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth'  # noqa
pspnet_r101 = 'mmseg::pspnet/pspnet_r101-d8_4xb2-80k_cityscapes-512x1024.py'
pspnet_r101_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x1024_80k_cityscapes/pspnet_r101-d8_512x1024_80k_cityscapes_20200606_112211-e1e1100f.pth'  # noqa

# SegFormer MiT-B4 on Cityscapes (MMSeg's 160k, 8x1, 1024x1024 crops;
# metafile: 81.89 val mIoU). Its head predicts at stride 4, with no
# auxiliary head.
segformer_mit_b4 = 'mmseg::segformer/segformer_mit-b4_8xb1-160k_cityscapes-1024x1024.py'  # noqa
segformer_mit_b4_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/segformer/segformer_mit-b4_8x1_1024x1024_160k_cityscapes/segformer_mit-b4_8x1_1024x1024_160k_cityscapes_20211207_080709-07f6c333.pth'  # noqa

# Teachers of the other datasets: for each, MMSeg's R101-D8 checkpoint
# with the highest published val mIoU (single scale) in its metafile.
# ADE20K (150 classes), 160k, 4x4, 512x512: DeepLabV3 45.00, PSPNet 44.39.
deeplabv3_r101_ade20k = 'mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-160k_ade20k-512x512.py'  # noqa
deeplabv3_r101_ade20k_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x512_160k_ade20k/deeplabv3_r101-d8_512x512_160k_ade20k_20200615_105816-b1f72b3b.pth'  # noqa
pspnet_r101_ade20k = 'mmseg::pspnet/pspnet_r101-d8_4xb4-160k_ade20k-512x512.py'  # noqa
pspnet_r101_ade20k_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x512_160k_ade20k/pspnet_r101-d8_512x512_160k_ade20k_20200615_100650-967c316f.pth'  # noqa
# COCO-Stuff 164k (171 classes), 320k, 4x4, 512x512: DeepLabV3 42.61,
# PSPNet 41.95.
deeplabv3_r101_coco_stuff164k = 'mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-320k_coco-stuff164k-512x512.py'  # noqa
deeplabv3_r101_coco_stuff164k_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x512_4x4_320k_coco-stuff164k/deeplabv3_r101-d8_512x512_4x4_320k_coco-stuff164k_20210709_155402-3cbca14d.pth'  # noqa
pspnet_r101_coco_stuff164k = 'mmseg::pspnet/pspnet_r101-d8_4xb4-320k_coco-stuff164k-512x512.py'  # noqa
pspnet_r101_coco_stuff164k_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x512_4x4_320k_coco-stuff164k/pspnet_r101-d8_512x512_4x4_320k_coco-stuff164k_20210707_152004-72220c60.pth'  # noqa
# Pascal VOC 2012 + aug (21 classes), 4x4, 512x512: DeepLabV3 78.70 (20k),
# PSPNet 78.52 (40k).
deeplabv3_r101_voc12aug = 'mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-20k_voc12aug-512x512.py'  # noqa
deeplabv3_r101_voc12aug_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x512_20k_voc12aug/deeplabv3_r101-d8_512x512_20k_voc12aug_20200617_010932-8d13832f.pth'  # noqa
pspnet_r101_voc12aug = 'mmseg::pspnet/pspnet_r101-d8_4xb4-40k_voc12aug-512x512.py'  # noqa
pspnet_r101_voc12aug_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x512_40k_voc12aug/pspnet_r101-d8_512x512_40k_voc12aug_20200613_161222-bc933b18.pth'  # noqa

# OCRNet HRNetV2p-W48 on Cityscapes (MMSeg's 160k, 4x2, 512x1024;
# metafile and configs/ocrnet/README.md: 81.35 val mIoU single scale, the
# best OCRNet-HRNet entry). A two-stage CascadeEncoderDecoder: an FCN
# soft-region head (stage 0, CE weight 0.4) feeding the OCR head (stage
# 1, the prediction), both at stride 4; no auxiliary head.
ocrnet_hr48 = 'mmseg::ocrnet/ocrnet_hr48_4xb2-160k_cityscapes-512x1024.py'
ocrnet_hr48_ckpt = 'https://download.openmmlab.com/mmsegmentation/v0.5/ocrnet/ocrnet_hr48_512x1024_160k_cityscapes/ocrnet_hr48_512x1024_160k_cityscapes_20200602_191037-dfbf1b0c.pth'  # noqa
