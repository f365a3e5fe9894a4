# ViT-B/32 trained alone on ImageNet with torchvision's reference recipe
# (vit_b_32: as ./vit-base-p16_64xb64-300e_in1k.py but AutoAugment's
# ImageNet policy instead of RandAugment; torchvision trained its weights
# on 16 GPUs x 256 images): the student of the
# ../*/*_resnet101_to_vit-base-p32_* configs.
_base_ = './vit-base-p16_64xb64-300e_in1k.py'
model = dict(backbone=dict(patch_size=32))  # mmpretrain vit-base-p32.py
# --auto-augment imagenet: MMPretrain's "imagenet" AutoAugment policy (the
# 25 sub-policies of torchvision's AutoAugmentPolicy.IMAGENET), bilinear,
# fill 0
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow',
         interpolation='bilinear'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='AutoAugment', policies='imagenet',
         hparams=dict(pad_val=0, interpolation='bilinear')),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=256,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=256)
test_dataloader = val_dataloader
