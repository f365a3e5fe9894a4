# torchvision's ViT-B schedule (vision/references/classification README,
# vit_b_16 / vit_b_32; train_kd.py of ZaberKo/vit-gdkd @ 3dcace4 builds
# the same optimiser and schedulers): AdamW LR 0.003, weight decay 0.3 on
# every parameter (no --norm-weight-decay / --transformer-embedding-decay),
# 30 linear warm-up epochs from 0.033 x LR, cosine to 0 over the other
# 270, both stepped once per epoch, gradient norm clipped at 1, total
# batch 4096. A delta over MMPretrain's ViT-B schedule, which differs in
# the warm-up start (1e-4, per iteration) and the token weight decay.
_base_ = 'mmpretrain::_base_/schedules/imagenet_bs4096_AdamW.py'
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=0.003, weight_decay=0.3),
    paramwise_cfg=dict(_delete_=True),
    clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.033, by_epoch=True, begin=0,
         end=30, convert_to_iter_based=False),
    dict(type='CosineAnnealingLR', T_max=270, eta_min=0., by_epoch=True,
         begin=30, end=300),
]
