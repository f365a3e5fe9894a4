# DKD, resnet56 -> resnet20 on CIFAR-100.
# Teacher: trained with ../baselines/resnet56_1xb64-240e_cifar100.py
# (docs/classification.md); override with model.teacher_ckpt=...
_base_ = ['../baselines/resnet20_1xb64-240e_cifar100.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/../baselines/resnet56_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/resnet56_1xb64-240e_cifar100/epoch_240.pth',
    ce_weight=1.0,  # CE_w, docs/losses.md §3
    warmup_epochs=20,  # W, docs/losses.md §3
    # alpha 1, per-pair beta, T 4 (docs/losses.md §3)
    distill_losses=dict(
        type='DKDLoss', alpha=1.0, beta=2.0, temperature=4.0),
)
