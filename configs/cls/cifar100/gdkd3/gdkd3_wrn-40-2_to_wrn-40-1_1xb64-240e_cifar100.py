# GDKD3 (top-1 / top-2..k / rest), wrn-40-2 -> wrn-40-1 on CIFAR-100.
# Teacher: trained with ../baselines/wrn-40-2_1xb64-240e_cifar100.py
# (docs/classification.md); override with model.teacher_ckpt=...
_base_ = ['../baselines/wrn-40-1_1xb64-240e_cifar100.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/../baselines/wrn-40-2_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/wrn-40-2_1xb64-240e_cifar100/epoch_240.pth',
    ce_weight=1.0,  # CE_w, docs/losses.md §5
    warmup_epochs=20,  # W, docs/losses.md §5
    # k 4, w0 1 (GDKD repo CFG.GDKD3), per-pair w1/w2 of the GDKD table
    # (docs/losses.md §5), T 4
    distill_losses=dict(
        type='GDKD3Loss', k=4, w0=1.0, w1=2.0, w2=6.0,
        temperature=4.0),
)
