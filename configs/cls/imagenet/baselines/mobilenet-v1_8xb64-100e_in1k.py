# MobileNetV1 trained on ImageNet alone (the student's baseline; MMPretrain
# has no MobileNetV1), with the schedule of the distillation runs
# (docs/losses.md §4): batch 512, LR 0.2, 100 epochs, x0.1 at 30/60/90,
# wd 1e-4.
_base_ = [
    '../../_base_/models/mobilenet-v1.py',
    '../../_base_/datasets/imagenet_bs64.py',
    '../../_base_/schedules/imagenet_sgd_100e.py',
    '../../_base_/default_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval=1))
