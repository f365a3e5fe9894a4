# CWD: PSPNet-R101-D8 (teacher) -> PSPNet-R18-D8 (student), Cityscapes
# 512x1024, MMSeg's 80k schedule (4 GPUs x 2 images) -- the same pair,
# teacher and schedule as mmrazor's only segmentation CWD config.
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
    # mmrazor cwd_logits_pspnet_r101-d8_pspnet_r18-d8_4xb2-80k_cityscapes
    # (docs/losses.md §9): tau = 1, loss_weight = 5 on the decode head's
    # logits only; no warm-up
    distill_losses=[dict(type='CWDLoss', temperature=1.0, loss_weight=5.0)],
    aux_distill_weight=0.0,
    warmup_iters=0)
