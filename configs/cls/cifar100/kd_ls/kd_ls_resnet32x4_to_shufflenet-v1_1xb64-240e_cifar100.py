# KD + logit standardization, resnet32x4 -> shufflenet-v1 on CIFAR-100.
# Teacher: trained with ../baselines/resnet32x4_1xb64-240e_cifar100.py
# (docs/classification.md); override with model.teacher_ckpt=...
_base_ = ['../baselines/shufflenet-v1_1xb64-240e_cifar100.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/../baselines/resnet32x4_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/resnet32x4_1xb64-240e_cifar100/epoch_240.pth',
    ce_weight=0.1,  # CE_w stays at KD's value, docs/losses.md §6
    # pair not in the LS logs: tau 2, lambda 9 (docs/losses.md §6)
    # T = tau, KD_w = lambda
    distill_losses=dict(
        type='KDLoss', temperature=2.0, logit_stand=True,
        loss_weight=9.0),
)
