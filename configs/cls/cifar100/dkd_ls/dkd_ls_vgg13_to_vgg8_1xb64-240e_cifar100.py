# DKD + logit standardization, vgg13 -> vgg8 on CIFAR-100.
# Teacher: trained with ../baselines/vgg13_1xb64-240e_cifar100.py
# (docs/classification.md); override with model.teacher_ckpt=...
_base_ = ['../baselines/vgg8_1xb64-240e_cifar100.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/../baselines/vgg13_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/vgg13_1xb64-240e_cifar100/epoch_240.pth',
    ce_weight=1.0,  # CE_w, docs/losses.md §3
    warmup_epochs=20,  # W, docs/losses.md §3 (unchanged by LS)
    # LS repo per-pair (tau, lambda, beta), docs/losses.md §6
    # T = tau, alpha = 1 * lambda, beta = 2 * lambda
    distill_losses=dict(
        type='DKDLoss', alpha=15.0, beta=30.0,
        temperature=2.0, logit_stand=True),
)
