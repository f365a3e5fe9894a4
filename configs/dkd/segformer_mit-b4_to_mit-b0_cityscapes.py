# DKD: SegFormer MiT-B4 (teacher) -> SegFormer MiT-B0 (student), Cityscapes.
# The student and its training are MMSeg's own MiT-B0 config unchanged
# (configs/baselines/segformer_mit-b0_cityscapes.py): 160k iterations,
# 8 GPUs x 1 image, 1024x1024 crops, AdamW lr 6e-5 (x10 on the head),
# weight decay 0.01, 1500-iteration linear warm-up, poly decay. CIRKDv2's
# MiT-B4 -> B0 runs use the same iterations, batch and crop with AdamW
# `--lr 0.0002` (winycg/CIRKD scripts/train_cirkdv2/cityscapes/
# segformer_b0.sh @351400e); we keep MMSeg's optimiser so the student's
# published 76.54 is the baseline of the same schedule.
# Both heads predict at stride 4 (256x256 logits for a 1024x1024 crop):
# the labels are nearest-downsampled to that size. SegFormer has no
# auxiliary head, so aux_distill_weight stays 0.
_base_ = [
    '../baselines/segformer_mit-b0_cityscapes.py',
    '../_base_/teachers.py',
]
model = dict(
    _delete_=True,
    type='SegDistiller',
    student={{_base_.model}},
    teacher={{_base_.segformer_mit_b4}},
    teacher_ckpt={{_base_.segformer_mit_b4_ckpt}},
    # seg-gdkd DKD (docs/losses.md §3, §7): alpha=1, beta=2, T=1. DERIVED
    # for SegFormer: no upstream transformer segmentation DKD setting.
    distill_losses=[
        dict(type='DKDLoss', alpha=1.0, beta=2.0, temperature=1.0)
    ],
    aux_distill_weight=0.0,
    warmup_iters=0)
