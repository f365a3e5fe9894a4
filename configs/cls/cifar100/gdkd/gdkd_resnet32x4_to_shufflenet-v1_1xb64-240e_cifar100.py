# GDKD (top-k), resnet32x4 -> shufflenet-v1 on CIFAR-100.
# Teacher: trained with ../baselines/resnet32x4_1xb64-240e_cifar100.py
# (docs/classification.md); override with model.teacher_ckpt=...
_base_ = ['../baselines/shufflenet-v1_1xb64-240e_cifar100.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/../baselines/resnet32x4_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/resnet32x4_1xb64-240e_cifar100/epoch_240.pth',
    ce_weight=1.0,  # CE_w, docs/losses.md §4
    warmup_epochs=20,  # W, docs/losses.md §4
    # k 5, w0 1, per-pair w1/w2, T 4 (docs/losses.md §4 table, GDKD repo)
    distill_losses=dict(
        type='GDKDLoss', k=5, w0=1.0, w1=1.0, w2=8.0,
        temperature=4.0),
)
