# ImageNet as torchvision's classification reference recipe trains
# vit_b_16 (vision/references/classification README, "Vision
# Transformer"; ZaberKo/vit-gdkd @ 3dcace4 keeps that README, train_kd.py
# and presets.py): RandomResizedCrop 224 and flip, RandAugment
# (--auto-augment ra, --ra-magnitude 9), bilinear interpolation (the
# --interpolation default), repeated augmentation (--ra-sampler,
# --ra-reps 3); evaluation: resize 256, centre crop 224. A delta over the
# dataset of MMPretrain's vit-base-p16_64xb64_in1k.py; the batch size is
# set by the model's config. ViT-B/32 swaps RandAugment for AutoAugment
# (../../imagenet/baselines/vit-base-p32_16xb256-300e_in1k.py).
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64_pil_resize_autoaug.py'
# torchvision's RandAugment (transforms.RandAugment: 2 ops, magnitude bin
# 9 of 31, i.e. 9/30 of each op's range; every chosen op is applied;
# signed ops flip sign with p 0.5; geometric fill 0), in MMPretrain's ops.
# MMPretrain's RandAugment merges hparams only into ops whose __init__
# names them, so prob=1 is set per op.
torchvision_ra = [
    dict(type='AutoContrast', prob=0.),  # "Identity": never applied
    dict(type='Shear', magnitude_range=(0, 0.3), direction='horizontal',
         prob=1.),
    dict(type='Shear', magnitude_range=(0, 0.3), direction='vertical',
         prob=1.),
    dict(type='Translate', magnitude_range=(0, 150 / 331),
         direction='horizontal', prob=1.),
    dict(type='Translate', magnitude_range=(0, 150 / 331),
         direction='vertical', prob=1.),
    dict(type='Rotate', magnitude_range=(0, 30), prob=1.),
    dict(type='Brightness', magnitude_range=(0, 0.9), prob=1.),
    dict(type='ColorTransform', magnitude_range=(0, 0.9), prob=1.),
    dict(type='Contrast', magnitude_range=(0, 0.9), prob=1.),
    dict(type='Sharpness', magnitude_range=(0, 0.9), prob=1.),
    # 8 - round(9 / 7.5) = 7 bits; MMPretrain rounds 8 - 4 * 9 / 30 up
    dict(type='Posterize', magnitude_range=(8, 4), prob=1.),
    dict(type='Solarize', magnitude_range=(255, 0), prob=1.),
    dict(type='AutoContrast', prob=1.),
    dict(type='Equalize', prob=1.),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow',
         interpolation='bilinear'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandAugment', policies=torchvision_ra, num_policies=2,
         magnitude_level=9, total_level=30,
         hparams=dict(pad_val=0, interpolation='bilinear')),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow',
         interpolation='bilinear'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    dataset=dict(pipeline=train_pipeline),
    sampler=dict(type='RepeatAugSampler', num_repeats=3, shuffle=True))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
