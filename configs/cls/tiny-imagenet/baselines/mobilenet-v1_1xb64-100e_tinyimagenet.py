# mobilenet-v1 fine-tuned on tiny-imagenet from ImageNet weights (transfer
# learning): the TL distillation configs' teachers and the students'
# baselines. Schedule: GDKD repo configs/TL/tiny-imagenet/vanilla
# (its "enhanced" augmentation is not reproduced; ImageNet's is used).
_base_ = [
    '../../_base_/models/mobilenet-v1.py',
    '../../_base_/datasets/tiny_imagenet_bs64.py',
    '../../_base_/schedules/tiny_imagenet_sgd_100e.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/mobilenet-v1_8xb64-100e_in1k/epoch_100.pth',
            prefix='backbone')),
    head=dict(num_classes=200, in_channels=1024, topk=(1, 5)))
default_hooks = dict(checkpoint=dict(interval=5))
