# DKD: PSPNet-R101-D8 (teacher) -> PSPNet-R18-D8 (student), Cityscapes
# 512x1024, MMSeg's 80k schedule (4 GPUs x 2 images).
_base_ = [
    'mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py',  # noqa
    '../_base_/teachers.py',
    '../_base_/default_runtime.py',
]
model = dict(
    _delete_=True,
    type='SegDistiller',
    student={{_base_.model}},
    teacher={{_base_.pspnet_r101}},
    teacher_ckpt={{_base_.pspnet_r101_ckpt}},
    # seg-gdkd DKD (docs/losses.md §3, §7; vectors: alpha=1, beta=2, T=1):
    # labels partition the classes; ignored pixels are left out.
    distill_losses=[
        dict(type='DKDLoss', alpha=1.0, beta=2.0, temperature=1.0)
    ],
    # aux head distilled with 0.4 as seg-gdkd train_kd.py (docs/losses.md §7)
    aux_distill_weight=0.4,
    warmup_iters=0)
