# KD, resnet50 -> mobilenet-v1 on ImageNet.
# Teacher: MMPretrain model zoo (mmpretrain::resnet/resnet50_8xb32_in1k.py).
# Student: the bases of ./mobilenet-v1_8xb64-100e_in1k.py (its baseline).
_base_ = [
    '../_base_/models/mobilenet-v1.py',
    '../_base_/datasets/imagenet_bs64.py',
    '../_base_/schedules/imagenet_sgd_100e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='mmpretrain::resnet/resnet50_8xb32_in1k.py',
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth',
    ce_weight=0.5,  # CE_w, docs/losses.md §2 (ImageNet)
    # KD_w 0.5, T 1 (docs/losses.md §2)
    distill_losses=dict(type='KDLoss', temperature=1.0, loss_weight=0.5),
)
default_hooks = dict(checkpoint=dict(interval=1))
