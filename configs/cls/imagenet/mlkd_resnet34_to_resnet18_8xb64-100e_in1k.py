# MLKD (Jin et al., CVPR 2023), resnet34 -> resnet18 on ImageNet, as the
# published code computes it (README, "MLKD"): a weak and a strong view of
# every image (../_base_/datasets/mlkd_imagenet_bs64.py).
# Teacher: MMPretrain model zoo (mmpretrain::resnet/resnet34_8xb32_in1k.py).
# Student: the bases of mmpretrain::resnet/resnet18_8xb32_in1k.py.
# Source: Jin-Ying/Multi-Level-Logit-Distillation @ 5ee473f,
# configs/imagenet/r34_r18/kd_ours.yaml.
_base_ = [
    'mmpretrain::_base_/models/resnet18.py',
    '../_base_/datasets/mlkd_imagenet_bs64.py',
    '../_base_/schedules/imagenet_sgd_100e.py',
    '../_base_/mmpretrain_runtime.py',
]
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='mmpretrain::resnet/resnet34_8xb32_in1k.py',
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    ce_weight=0.5,  # CE_WEIGHT 0.5, on each view (kd_ours.yaml)
    # TEMPERATURE 1, KD_WEIGHT 0.5 (kd_ours.yaml); no warm-up
    distill_losses=dict(type='MLKDLoss', temperature=1.0, kd_weight=0.5),
)
# LR 0.1 for the batch of 512 (8 x 64; kd_ours.yaml); 100 epochs, x0.1 at
# 30/60/90, wd 1e-4 are the base schedule's (same yaml)
optim_wrapper = dict(optimizer=dict(lr=0.1))
default_hooks = dict(checkpoint=dict(interval=1))
