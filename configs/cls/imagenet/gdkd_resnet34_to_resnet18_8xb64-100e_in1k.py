# GDKD (top-k), resnet34 -> resnet18 on ImageNet.
# Teacher: MMPretrain model zoo (mmpretrain::resnet/resnet34_8xb32_in1k.py).
_base_ = [
    'mmpretrain::resnet/resnet18_8xb32_in1k.py',
]
# MMPretrain's config has its runtime: only register gdkd_seg
custom_imports = dict(imports=['gdkd_seg'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='mmpretrain::resnet/resnet34_8xb32_in1k.py',
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    ce_weight=1.0,  # CE_w, losses.md §4
    warmup_epochs=1,  # W, losses.md §4
    # k 5, T 1, per-pair w0/w1/w2 (losses.md §4 table)
    distill_losses=dict(
        type='GDKDLoss', k=5, w0=0.5, w1=1.0, w2=1.0,
        temperature=1.0),
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
