# The shipped DMAE config, shrunk (./tiny_mim.py): the student as ViT-B
# (12 blocks), the teacher ./tiny_mae_vit-l.py (24 blocks); every DMAE
# setting (blocks 8 <- 17, weights, masks, schedule) is the shipped one.
_base_ = [
    '../../../configs/mim/dmae/dmae_vit-large-to-base-p16_8xb512-amp-coslr-100e_in1k.py',  # noqa: E501
    './tiny_mim.py',
]
model = dict(
    _base_.tiny_vit_b,
    teacher='{{ fileDirname }}/tiny_mae_vit-l.py',
    # the teacher checkpoint comes by --cfg-options (a missing file fails)
    teacher_ckpt='teacher_ckpt_not_given.pth',
    teacher_dims=32)
train_dataloader = _base_.tiny_train_dataloader
default_hooks = _base_.tiny_default_hooks
