# Tiny-ImageNet-200 (64x64 images, 200 classes) for transfer learning,
# upsampled to 224 with ImageNet's augmentation as in the GDKD repo
# (mdistiller/dataset/tiny_imaganet.py). MMPretrain has no Tiny-ImageNet
# dataset: the official folder tree + split files in MMPretrain's
# ImageNet format (meta/train.txt, meta/val.txt; see
# docs/classification.md) read by CustomDataset.
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs32.py'
data_preprocessor = dict(num_classes=200)
train_dataloader = dict(
    batch_size=64,
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root='data/tiny-imagenet-200',
        ann_file='meta/train.txt',
        data_prefix='train',
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=64,
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root='data/tiny-imagenet-200',
        ann_file='meta/val.txt',
        data_prefix='val',
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
