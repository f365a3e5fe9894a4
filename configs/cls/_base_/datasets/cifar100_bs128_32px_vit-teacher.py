# The same CIFAR-100 pipeline at the images' own 32 pixels: how the
# locality-guidance code trains its CNN teacher (tiny-transformers
# configs/resnet/r-56_c100.yaml: MODEL.IMG_SIZE 32, the default strong
# augmentation TRAIN.STRONG_AUGMENTATION True, batch 128).
_base_ = './cifar100_bs128_224px_vit.py'
train_pipeline = [
    dict(type='RandomResizedCrop', scale=32, backend='pillow',
         interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandAugment', policies='timm_increasing', num_policies=2,
         total_level=10, magnitude_level=9, magnitude_std=0.5,
         hparams=dict(pad_val=[round(x) for x in _base_.mean],
                      interpolation='bicubic')),
    dict(type='RandomErasing', erase_prob=0.25, mode='rand',
         min_area_ratio=0.02, max_area_ratio=1 / 3,
         fill_color=_base_.mean, fill_std=_base_.std),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]  # Resize((32, 32)): a no-op
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
