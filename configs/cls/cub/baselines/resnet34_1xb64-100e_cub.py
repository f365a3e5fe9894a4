# resnet34 fine-tuned on cub from ImageNet weights (transfer
# learning): the TL distillation configs' teachers and the students'
# baselines. Schedule: GDKD repo configs/TL/cub2011/vanilla
# (its "enhanced" augmentation is not reproduced; ImageNet's is used).
_base_ = [
    'mmpretrain::_base_/models/resnet34.py',
    '../../_base_/datasets/cub_bs64_224.py',
    '../../_base_/schedules/cub_sgd_100e.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
            prefix='backbone')),
    head=dict(num_classes=200, in_channels=512, topk=(1, 5)))
default_hooks = dict(checkpoint=dict(interval=5))
