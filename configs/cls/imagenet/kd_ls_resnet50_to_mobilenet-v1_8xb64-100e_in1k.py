# KD + logit standardization, resnet50 -> mobilenet-v1 on ImageNet.
# Teacher: MMPretrain model zoo (mmpretrain::resnet/resnet50_8xb32_in1k.py).
_base_ = [
    './mobilenet-v1_8xb64-100e_in1k.py',
]
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='mmpretrain::resnet/resnet50_8xb32_in1k.py',
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth',
    ce_weight=0.5,  # CE_w of the GDKD repo's LSKD (losses.md §6)
    # tau 2, KD_w = lambda 9 (losses.md §6, ImageNet)
    distill_losses=dict(
        type='KDLoss', temperature=2.0, logit_stand=True, loss_weight=9.0),
)
# losses.md §4 (ImageNet): batch 512 (8 x 64), LR 0.2, 100 epochs,
# x0.1 at 30/60/90, wd 1e-4
train_dataloader = dict(batch_size=64)
val_dataloader = dict(batch_size=64)
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(
    _delete_=True, type='MultiStepLR', by_epoch=True,
    milestones=[30, 60, 90], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
default_hooks = dict(checkpoint=dict(interval=1))
auto_scale_lr = dict(base_batch_size=512)
