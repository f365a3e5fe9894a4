# A 24-block, 32-wide MAE standing for MMPretrain's MAE ViT-L (the
# teacher of the DMAE and AMD ViT-L configs): MMPretrain's MAE ViT-L
# config with ./tiny_mim.py's sizes.
_base_ = [
    'mmpretrain::mae/mae_vit-large-p16_8xb512-amp-coslr-1600e_in1k.py',
    '../../../configs/mim/_base_/mim_runtime.py',
    './tiny_mim.py',
]
model = _base_.tiny_vit_l
train_dataloader = _base_.tiny_train_dataloader
default_hooks = _base_.tiny_default_hooks
