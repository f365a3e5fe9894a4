# The locality-guidance ViT schedule (tiny-transformers configs/*/
# *_c100_*.yaml OPTIM, pycls/core/optimizer.py) is MMPretrain's DeiT/Swin
# AdamW recipe with another LR: AdamW betas (0.9, 0.999), weight decay
# 0.05 except on biases, 1-D parameters, cls_token, pos_embed and the
# distillation token; 20 warm-up epochs from 1e-3 x LR (WARMUP_FACTOR);
# cosine over 300 epochs. The deltas over MMPretrain's config:
_base_ = 'mmpretrain::_base_/schedules/imagenet_bs1024_adamw_swin.py'
optim_wrapper = dict(
    optimizer=dict(lr=5e-4),  # BASE_LR at batch 128, not rescaled
    paramwise_cfg=dict(custom_keys={
        'cls_token': dict(decay_mult=0.0),
        'pos_embed': dict(decay_mult=0.0),  # PVT's pos_embeds too
        'dist_token': dict(decay_mult=0.0),
    }))
param_scheduler = [
    # timm's CosineLRScheduler, stepped once per epoch
    # (scheduler.step(epoch + 1) in pycls/core/trainer.py)
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, end=20,
         convert_to_iter_based=False),
    # MIN_LR 5e-6. timm keeps the cosine phase at t / 300 after the
    # warm-up, MMEngine restarts it at epoch 20 (T_max 280): the LR
    # differs by at most 1.1% of the base LR (DERIVED approximation)
    dict(type='CosineAnnealingLR', eta_min=5e-6, by_epoch=True, begin=20,
         end=300),
]
auto_scale_lr = dict(base_batch_size=128)
