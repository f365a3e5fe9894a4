# DKD: DeepLabV3-R101-D8 (teacher) ->
# DeepLabV3-MobileNetV2-D8 (student), Cityscapes
# 512x1024, MMSeg's 80k schedule (4 GPUs x 2 images).
_base_ = [
    'mmseg::mobilenet_v2/mobilenet-v2-d8_deeplabv3_4xb2-80k_cityscapes-512x1024.py',  # noqa
    '../_base_/teachers.py',
    '../_base_/default_runtime.py',
]
model = dict(
    _delete_=True,
    type='SegDistiller',
    student={{_base_.model}},
    teacher={{_base_.deeplabv3_r101}},
    teacher_ckpt={{_base_.deeplabv3_r101_ckpt}},
    # seg-gdkd DKD (docs/losses.md §3, §7; vectors: alpha=1, beta=2, T=1):
    # labels partition the classes; ignored pixels are left out.
    distill_losses=[
        dict(type='DKDLoss', alpha=1.0, beta=2.0, temperature=1.0)
    ],
    # no aux distillation: seg-gdkd's MobileNet students have none
    aux_distill_weight=0.0,
    warmup_iters=0)
