# ImageNet at batch 64 per GPU (8 x 64 = 512, docs/losses.md §4), with
# MMPretrain's pipeline; top-1/top-5 accuracy.
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs32.py'
train_dataloader = dict(batch_size=64)
val_dataloader = dict(batch_size=64)
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
