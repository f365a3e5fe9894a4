# MLKD (Jin et al., CVPR 2023), resnet34 -> resnet18 on ImageNet
# (docs, "MLKD") (teacher: MMPretrain's).
_base_ = ['mmpretrain::_base_/models/resnet18.py',
          '../../_base_/distillers/mlkd_imagenet.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='mmpretrain::resnet/resnet34_8xb32_in1k.py',
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth')  # noqa: E501
# LR 0.1 for the batch of 512 (8 x 64; kd_ours.yaml); 100 epochs, x0.1 at
# 30/60/90, wd 1e-4 are the base schedule's (same yaml)
optim_wrapper = dict(optimizer=dict(lr=0.1))
default_hooks = dict(checkpoint=dict(interval=1))
