# ViT-B/16 trained alone on ImageNet with torchvision's reference recipe
# (vision/references/classification README, vit_b_16, kept in
# ZaberKo/vit-gdkd @ 3dcace4): the student of the vit-gdkd configs
# (../*/*_resnet101_to_vit-base-p16_*). torchvision trained its weights
# on 64 GPUs x 64 images; train with --amp (the recipe's --amp).
_base_ = [
    'mmpretrain::_base_/models/vit-base-p16.py',
    '../../_base_/datasets/imagenet_vit_torchvision.py',
    '../../_base_/schedules/imagenet_adamw_300e_vit_torchvision.py',
    '../../_base_/default_runtime.py',
]
# deltas over MMPretrain's ViT-B/16 (torchvision's vit_b_16: no dropout,
# no pre-logits layer, zero-initialised head)
model = dict(
    backbone=dict(drop_rate=0.0),
    head=dict(loss=dict(type='LabelSmoothLoss', label_smooth_val=0.11,
                        mode='original')),  # --label-smoothing 0.11
    # --mixup-alpha 0.2 --cutmix-alpha 1.0: one of the two per batch
    # (RandomChoice in vit-gdkd's transforms.py)
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.2),
                             dict(type='CutMix', alpha=1.0)]))
train_dataloader = dict(batch_size=64)
val_dataloader = dict(batch_size=64)
test_dataloader = val_dataloader
# --model-ema: --model-ema-steps 32, decay 0.99998 adjusted to the batch
# (train_kd.py: alpha = (1 - 0.99998) * 4096 * 32 / 300 = 0.0087381 per
# update), weights copied during the 30 warm-up epochs
custom_hooks = _base_.custom_hooks + [
    dict(type='EMAHook', momentum=0.0087381, interval=32, begin_epoch=30,
         priority='ABOVE_NORMAL')
]
