# KD + logit standardization, resnet50 -> mobilenet-v2 on CIFAR-100.
# Teacher: trained with ../baselines/resnet50_1xb64-240e_cifar100.py
# (docs/classification.md); override with model.teacher_ckpt=...
_base_ = ['../baselines/mobilenet-v2_1xb64-240e_cifar100.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/../baselines/resnet50_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/resnet50_1xb64-240e_cifar100/epoch_240.pth',
    ce_weight=0.1,  # CE_w stays at KD's value, docs/losses.md §6
    # LS repo per-pair (tau, lambda), docs/losses.md §6
    # T = tau, KD_w = lambda
    distill_losses=dict(
        type='KDLoss', temperature=3.0, logit_stand=True,
        loss_weight=1.0),
)
