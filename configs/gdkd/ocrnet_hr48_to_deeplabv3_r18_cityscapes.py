# GDKD: OCRNet-HRNetV2p-W48 (teacher, 81.35 mIoU) -> DeepLabV3-R18-D8
# (student), Cityscapes 512x1024, the student's MMSeg 80k schedule (4 GPUs
# x 2 images).
# The teacher is a cascade: its final stage (the OCR head) is distilled,
# its 128x256 stride-4 logits resized bilinearly to the student's 64x128
# stride-8 ones. It has no auxiliary head, so the student's FCN auxiliary
# head keeps its cross-entropy and is not distilled (aux_distill_weight 0).
_base_ = [
    'mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py',  # noqa
    '../_base_/teachers.py',
    '../_base_/default_runtime.py',
]
model = dict(
    _delete_=True,
    type='SegDistiller',
    student={{_base_.model}},
    teacher={{_base_.ocrnet_hr48}},
    teacher_ckpt={{_base_.ocrnet_hr48_ckpt}},
    # seg-gdkd `GDKD` class defaults (docs/losses.md §4, Cityscapes row):
    # T=1, k=3, w0=1, w1=1, w2=2, distillation weight 1, no warm-up.
    # DERIVED for this pair: upstream's teacher is a DeepLabV3-R101.
    distill_losses=[
        dict(type='GDKDLoss', k=3, w0=1.0, w1=1.0, w2=2.0, temperature=1.0)
    ],
    aux_distill_weight=0.0,
    warmup_iters=0)
