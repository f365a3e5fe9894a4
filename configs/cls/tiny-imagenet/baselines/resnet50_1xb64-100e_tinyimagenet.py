# resnet50 fine-tuned on tiny-imagenet from ImageNet weights (transfer
# learning): the TL distillation configs' teachers and the students'
# baselines. Schedule: GDKD repo configs/TL/tiny-imagenet/vanilla
# (its "enhanced" augmentation is not reproduced; ImageNet's is used).
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    '../../_base_/datasets/tiny_imagenet_bs64.py',
    '../../_base_/schedules/tiny_imagenet_sgd_100e.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth',
            prefix='backbone')),
    head=dict(num_classes=200, in_channels=2048, topk=(1, 5)))
optim_wrapper = dict(optimizer=dict(lr=0.0025))
default_hooks = dict(checkpoint=dict(interval=5))
