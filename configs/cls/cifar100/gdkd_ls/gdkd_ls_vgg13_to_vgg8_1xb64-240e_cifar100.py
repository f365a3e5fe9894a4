# GDKD + logit standardization, vgg13 -> vgg8 on CIFAR-100.
# Teacher: trained with ../baselines/vgg13_1xb64-240e_cifar100.py
# (docs/classification.md); override with model.teacher_ckpt=...
_base_ = ['../baselines/vgg8_1xb64-240e_cifar100.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/../baselines/vgg13_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/vgg13_1xb64-240e_cifar100/epoch_240.pth',
    ce_weight=1.0,  # CE_w, docs/losses.md §4
    warmup_epochs=20,  # W, docs/losses.md §4
    # GDKD repo LS_GDKD, norm_mode "global": both logits standardized,
    # then GDKD with its own w0/w1/w2/k and T 4 (docs/losses.md §6)
    distill_losses=dict(
        type='GDKDLoss', k=5, w0=1.0, w1=1.0, w2=6.0,
        temperature=4.0, logit_stand=True),
)
