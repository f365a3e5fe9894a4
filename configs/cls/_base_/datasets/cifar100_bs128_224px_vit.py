# CIFAR-100 as the locality-guidance code (lkhl/tiny-transformers) and the
# LS paper's ViT experiments (sunshangquan/logit-standardization-KD @
# f6e5aa5, tiny-transformers/) feed it to ViT students: 32-pixel images
# upsampled to MODEL.IMG_SIZE (pycls/core/config.py default 224; no
# shipped yaml changes it), timm's strong augmentation
# (pycls/datasets/transforms.py, create_transform(..., is_training=True)),
# ImageNet mean/std, batch 128 (the yamls' TRAIN.BATCH_SIZE), drop_last
# (pycls/datasets/loader.py). A delta over MMPretrain's CIFAR-100 config.
_base_ = 'mmpretrain::_base_/datasets/cifar100_bs16.py'
# IMAGENET_DEFAULT_MEAN / STD of transforms.py, x255; MMPretrain's CIFAR
# images are already RGB
mean, std = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
data_preprocessor = dict(num_classes=100, mean=mean, std=std, to_rgb=False)
train_pipeline = [
    # timm RandomResizedCropAndInterpolation: scale (0.08, 1), ratio
    # (3/4, 4/3), bicubic
    dict(type='RandomResizedCrop', scale=224, backend='pillow',
         interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    # auto_augment='rand-m9-mstd0.5-inc1' (timm's increasing RandAugment,
    # 2 ops of magnitude N(9, 0.5) out of 10, fill = the mean); with it
    # timm skips color_jitter=0.4
    dict(type='RandAugment', policies='timm_increasing', num_policies=2,
         total_level=10, magnitude_level=9, magnitude_std=0.5,
         hparams=dict(pad_val=[round(x) for x in mean],
                      interpolation='bicubic')),
    # re_prob=0.25, re_mode='pixel' (per-pixel N(0, 1) after
    # normalisation = N(mean, std) before it), re_count=1
    dict(type='RandomErasing', erase_prob=0.25, mode='rand',
         min_area_ratio=0.02, max_area_ratio=1 / 3, fill_color=mean,
         fill_std=std),
    dict(type='PackInputs'),
]
# create_test_transform: Resize((224, 224)) (torchvision's bilinear)
test_pipeline = [
    dict(type='Resize', scale=(224, 224), backend='pillow',
         interpolation='bilinear'),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=128, num_workers=4, drop_last=True,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=128, num_workers=4,
                      dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
