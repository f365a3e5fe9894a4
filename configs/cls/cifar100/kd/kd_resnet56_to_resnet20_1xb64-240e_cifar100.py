# KD (Hinton), resnet56 -> resnet20 on CIFAR-100.
# Teacher: trained with ../baselines/resnet56_1xb64-240e_cifar100.py
# (docs/classification.md); override with model.teacher_ckpt=...
_base_ = ['../baselines/resnet20_1xb64-240e_cifar100.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/../baselines/resnet56_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/resnet56_1xb64-240e_cifar100/epoch_240.pth',
    ce_weight=0.1,  # CE_w, docs/losses.md §2 (CIFAR-100)
    # KD_w 0.9, T 4 (docs/losses.md §2); no warm-up (mdistiller KD)
    distill_losses=dict(type='KDLoss', temperature=4.0, loss_weight=0.9),
)
