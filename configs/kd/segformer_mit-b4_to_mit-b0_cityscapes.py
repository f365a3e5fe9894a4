# KD: SegFormer MiT-B4 (teacher) -> SegFormer MiT-B0 (student), Cityscapes.
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
    # seg-gdkd / CIRKD KD: T=1, distillation weight 1 (docs/losses.md §2,
    # §7; CIRKDv2's SegFormer script also uses --kd-temperature 1,
    # --lambda-kd 1).
    distill_losses=[dict(type='KDLoss', temperature=1.0)],
    aux_distill_weight=0.0,
    warmup_iters=0)
