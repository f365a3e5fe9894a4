# GDKD3, resnet34 -> resnet18 on ImageNet.
# Teacher: MMPretrain model zoo (mmpretrain::resnet/resnet34_8xb32_in1k.py).
# Student: the bases of mmpretrain::resnet/resnet18_8xb32_in1k.py, with
# the distillation batch and schedule.
_base_ = [
    'mmpretrain::_base_/models/resnet18.py',
    '../_base_/datasets/imagenet_bs64.py',
    '../_base_/schedules/imagenet_sgd_100e.py',
    '../_base_/mmpretrain_runtime.py',
]
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='mmpretrain::resnet/resnet34_8xb32_in1k.py',
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    ce_weight=1.0,  # CE_w, docs/losses.md §5
    warmup_epochs=1,  # W as GDKD on ImageNet
    # DERIVED (no upstream ImageNet GDKD3 config): k 5 and T 1 as
    # vit-gdkd's gdkd3.yaml, w0/w1/w2 of this pair's GDKD (docs/losses.md §5)
    distill_losses=dict(
        type='GDKD3Loss', k=5, w0=0.5, w1=1.0, w2=1.0,
        temperature=1.0),
)
default_hooks = dict(checkpoint=dict(interval=1))
