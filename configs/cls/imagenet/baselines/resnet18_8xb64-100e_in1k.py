# ResNet-18 trained on ImageNet alone with the batch and schedule of the
# distillation runs (docs/losses.md §4): the student of the resnet34 ->
# resnet18 configs. MMPretrain's own baseline is
# mmpretrain::resnet/resnet18_8xb32_in1k.py (batch 256, LR 0.1).
_base_ = [
    'mmpretrain::_base_/models/resnet18.py',
    '../../_base_/datasets/imagenet_bs64.py',
    '../../_base_/schedules/imagenet_sgd_100e.py',
    '../../_base_/mmpretrain_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval=1))
