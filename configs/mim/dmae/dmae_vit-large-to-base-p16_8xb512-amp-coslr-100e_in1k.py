# DMAE (Bai et al., "Masked Autoencoders Enable Efficient Knowledge
# Distillers", CVPR 2023): a frozen MAE ViT-L teaches an MAE ViT-B, 100
# epochs on ImageNet-1K; ViT-B 84.0 top-1 after fine-tuning
# (./benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py). Not trained here.
# Delta over MMPretrain's MAE ViT-B recipe, whose settings DMAE shares:
# mask ratio 0.75, decoder 512-d x 8 blocks, AdamW (0.9, 0.95), wd 0.05,
# lr 1.5e-4 * 4096 / 256 at batch 4096 (8 x 512 here; DMAE: 8 GPUs x 128
# x accum_iter 4), RandomResizedCrop(0.2, 1) + flip. Sources, all in
# github.com/UCSC-VLAA/DMAE: pretrain.sh, main_distill.py (defaults),
# engine_distill.py, models_mae_distill.py.
_base_ = [
    'mmpretrain::mae/mae_vit-base-p16_8xb512-amp-coslr-300e_in1k.py',
    '../_base_/mim_runtime.py',
    '../_base_/teachers.py',
]
model = dict(
    _base_.mae_vit_large,  # pretrain.sh --model_teacher mae_vit_large
    type='DMAE',
    # raw pixels as the target: --norm_pix_loss unset (default False)
    head=dict(norm_pix=False),
    # --aligned_blks_indices 8 / --teacher_aligned_blks_indices 17
    # (0-indexed: block 9 of 12 learns block 18 of 24); the projection is
    # Linear(768, 1024) (--aligned_feature_projection_dim 768 1024)
    student_layers=(8, ),
    teacher_layers=(17, ),
    # --embedding_distillation_func L1 on F.normalize'd features, added
    # with weight 1 (engine_distill.py: loss += loss_v)
    feat_weight=1.0)
# 100 epochs (--epochs 100): 20 of linear warm-up (--warmup_epochs
# default 20), then a half-cosine to 0 (--min_lr default 0)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0,
         end=20, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=80, by_epoch=True, begin=20,
         end=100, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=100)
# MMEngine 0.10.7 hands the `_scope_` that a cross-package base adds to
# MMPretrain's `collate_fn=dict(type='default_collate')` on to the function
# (TypeError): the same collate function, without it
train_dataloader = dict(
    collate_fn=dict(_delete_=True, type='default_collate'))
