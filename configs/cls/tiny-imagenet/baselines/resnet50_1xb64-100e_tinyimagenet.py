# resnet50 fine-tuned on tiny-imagenet from ImageNet weights (transfer
# learning): the TL distillation configs' teachers and the students'
# baselines. Schedule: GDKD repo configs/TL/tiny-imagenet/vanilla
# (its "enhanced" augmentation is not reproduced; ImageNet's is used).
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    '../../_base_/datasets/tiny_imagenet_bs64.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth',
            prefix='backbone')),
    head=dict(num_classes=200, in_channels=2048, topk=(1, 5)))
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.0025, momentum=0.9, weight_decay=0.001))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[30, 60], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(checkpoint=dict(interval=5))
auto_scale_lr = dict(base_batch_size=64)
