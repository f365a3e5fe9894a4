# GDKD3 + logit standardization, vgg13 -> vgg8 on CIFAR-100.
# Teacher: trained with ../baselines/vgg13_1xb64-240e_cifar100.py
# (docs/classification.md); override with model.teacher_ckpt=...
_base_ = ['../baselines/vgg8_1xb64-240e_cifar100.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/../baselines/vgg13_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/vgg13_1xb64-240e_cifar100/epoch_240.pth',
    ce_weight=1.0,  # CE_w, docs/losses.md §5
    warmup_epochs=20,  # W, docs/losses.md §5
    # DERIVED (no upstream config): GDKD3 as in ../gdkd3 with both logits
    # standardized, T 4 as LS_GDKD (docs/losses.md §6)
    distill_losses=dict(
        type='GDKD3Loss', k=4, w0=1.0, w1=1.0, w2=6.0,
        temperature=4.0, logit_stand=True),
)
