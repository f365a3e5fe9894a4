# AMD (Zhao et al., "Asymmetric Masked Distillation for Pre-Training
# Small Foundation Models", CVPR 2024): a frozen MAE ViT-L that sees more
# patches teaches an MAE ViT-B, 800 epochs on ImageNet-1K; ViT-B 84.6
# top-1 after fine-tuning (github.com/MCG-NJU/AMD README, MODEL_ZOO.md).
# Not trained here.
# Delta over MMPretrain's MAE ViT-B 800-epoch recipe. AMD's released code
# is for video (VideoMAEv2); what it fixes, and this config keeps:
# per-patch normalised pixel targets (run_amd_pretrain.py
# --normlize_target True = MMPretrain's norm_pix=True), MSE for the
# pixels and both feature terms, unit weights (--recfac/--dirfac/--genfac
# 1), block pairs (6, 12) <- (12, 24) of a ViT-L teacher (1-indexed,
# scripts/pretrain/*), a 2-block generator at the teacher's width,
# bias-free projections shared by both terms (models/modeling_pretrain.py)
# and AdamW (0.9, 0.95), wd 0.05, base lr 1.5e-4 per 256, 40 warm-up
# epochs (run_amd_pretrain.py defaults = MAE's). The image mask ratios are
# not in the repository (its scripts use 0.90 / 0.75 for video): 0.75 for
# the student is MAE's, 0.5 for the teacher is our choice (docs
# "Masked-image distillation", "Not in either repository").
_base_ = [
    'mmpretrain::mae/mae_vit-base-p16_8xb512-amp-coslr-800e_in1k.py',
    '../_base_/mim_runtime.py',
    '../_base_/teachers.py',
]
model = dict(
    _base_.mae_vit_large,
    type='AMD',
    teacher_mask_ratio=0.5,  # < the student's 0.75 (MAEViT's mask_ratio)
    student_layers=(5, 11),  # --student_layer_{direct,gen}_align 6 12
    teacher_layers=(11, 23),  # --teacher_layer_{direct,gen}_align 12 24
    direct_weight=1.0,
    gen_weight=1.0,
    generator=dict(depth=2))  # --generator_depth 2, heads = width / 64
# MMEngine 0.10.7 hands the `_scope_` that a cross-package base adds to
# MMPretrain's `collate_fn=dict(type='default_collate')` on to the function
# (TypeError): the same collate function, without it
train_dataloader = dict(
    collate_fn=dict(_delete_=True, type='default_collate'))
