# A 12-block, 16-wide MAE standing for MMPretrain's MAE ViT-B (the teacher
# of the AMD ViT-B -> ViT-S config, and the plain-MAE baseline).
_base_ = [
    'mmpretrain::mae/mae_vit-base-p16_8xb512-amp-coslr-1600e_in1k.py',
    '../../../configs/mim/_base_/mim_runtime.py',
    './tiny_mim.py',
]
model = _base_.tiny_vit_b
train_dataloader = _base_.tiny_train_dataloader
default_hooks = _base_.tiny_default_hooks
