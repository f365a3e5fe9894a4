# CWD: DeepLabV3-R101-D8 (teacher) -> DeepLabV3-R18-D8 (student),
# Cityscapes 512x1024, MMSeg's 80k schedule (4 GPUs x 2 images).
_base_ = [
    'mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py',  # noqa
    '../_base_/teachers.py',
    '../_base_/default_runtime.py',
]
model = dict(
    _delete_=True,
    type='SegDistiller',
    student={{_base_.model}},
    teacher={{_base_.deeplabv3_r101}},
    teacher_ckpt={{_base_.deeplabv3_r101_ckpt}},
    # CIRKD's logit CWD for this pair (docs/losses.md §9): T = 4 (fixed
    # in its train_kd.py), weight 3 (--lambda-cwd-logit in
    # scripts/train_kd/train_cwd.sh), main head only, no warm-up. CIRKD's
    # feature CWD (weight 50) is not a logit loss and is not included.
    distill_losses=[dict(type='CWDLoss', temperature=4.0, loss_weight=3.0)],
    aux_distill_weight=0.0,
    warmup_iters=0)
