# The shipped AMD ViT-L -> ViT-B config, shrunk (./tiny_mim.py); every AMD
# setting (blocks (5, 11) <- (11, 23), mask ratios, weights, generator
# depth, schedule) is the shipped one.
_base_ = [
    '../../../configs/mim/amd/amd_vit-large-to-base-p16_8xb512-amp-coslr-800e_in1k.py',  # noqa: E501
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
