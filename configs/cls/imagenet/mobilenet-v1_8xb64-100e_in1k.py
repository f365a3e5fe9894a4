# MobileNetV1 trained on ImageNet alone (the student's baseline; MMPretrain
# has no MobileNetV1). Schedule of the distillation runs (docs/losses.md §4):
# batch 512, LR 0.2, 100 epochs, x0.1 at 30/60/90, wd 1e-4.
_base_ = [
    '../_base_/models/mobilenet-v1.py',
    '../_base_/datasets/imagenet_bs64.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    '../_base_/default_runtime.py',
]
optim_wrapper = dict(optimizer=dict(lr=0.2, weight_decay=1e-4))
default_hooks = dict(checkpoint=dict(interval=1))
auto_scale_lr = dict(base_batch_size=512)
