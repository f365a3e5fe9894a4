# The shipped AMD ViT-B -> ViT-S config, shrunk (./tiny_mim.py); every AMD
# setting (blocks (5, 11) <- (5, 11), mask ratios, weights, generator
# depth, schedule) is the shipped one.
_base_ = [
    '../../../configs/mim/amd/amd_vit-base-to-small-p16_8xb512-amp-coslr-800e_in1k.py',  # noqa: E501
    './tiny_mim.py',
]
model = dict(
    _base_.tiny_vit_s,
    teacher='{{ fileDirname }}/tiny_mae_vit-b.py',
    # the teacher checkpoint comes by --cfg-options (a missing file fails)
    teacher_ckpt='teacher_ckpt_not_given.pth',
    teacher_dims=16)
train_dataloader = _base_.tiny_train_dataloader
default_hooks = _base_.tiny_default_hooks
