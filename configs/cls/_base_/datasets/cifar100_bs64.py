# CIFAR-100 at batch 64 (docs/losses.md §4, CIFAR optimiser); crop/flip as
# MMPretrain (= mdistiller: RandomCrop 32 pad 4, horizontal flip).
_base_ = 'mmpretrain::_base_/datasets/cifar100_bs16.py'
train_dataloader = dict(batch_size=64)
val_dataloader = dict(batch_size=64)
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
