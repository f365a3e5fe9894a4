# CUB-200-2011 at 224 with ImageNet's augmentation, as the GDKD repo's TL
# runs (mdistiller/dataset/cub2011.py), batch 64; MMPretrain's CUB dataset
# reads the official CUB_200_2011 folder (images.txt, train_test_split...).
_base_ = [
    'mmpretrain::_base_/datasets/cub_bs8_448.py',
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=64, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=64, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
