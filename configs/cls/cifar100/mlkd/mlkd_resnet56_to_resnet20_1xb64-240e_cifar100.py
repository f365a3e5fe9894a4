# MLKD (Jin et al., CVPR 2023), resnet56 -> resnet20
# on CIFAR-100, as the published code computes it (README, "MLKD"): a weak
# and a strong view of every image
# (../../_base_/datasets/mlkd_cifar100_bs64.py), instance, class and batch
# levels at T in [4, 3, 5, 2, 6].
# Teacher: trained with ../baselines/resnet56_1xb64-240e_cifar100.py
# (docs/classification.md); override with model.teacher_ckpt=...
# Sources: Jin-Ying/Multi-Level-Logit-Distillation @ 5ee473f,
# configs/cifar100/ours/res56_res20.yaml (schedule; it sets no loss
# weights) and mdistiller/engine/cfg.py (loss weights).
_base_ = [
    '../../_base_/models/cifar/resnet20.py',
    '../../_base_/datasets/mlkd_cifar100_bs64.py',
    '../../_base_/schedules/cifar100_sgd_240e.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/../baselines/resnet56_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/resnet56_1xb64-240e_cifar100/epoch_240.pth',
    ce_weight=0.1,  # CE_WEIGHT, on each view (cfg.py 63, KD_ours.py 114)
    # KD.TEMPERATURE 4, KD_WEIGHT 0.9 (cfg.py 61, 64); no warm-up
    distill_losses=dict(type='MLKDLoss', temperature=4.0, kd_weight=0.9),
)
# LR 0.025 (res56_res20.yaml); batch 64, momentum 0.9, wd 5e-4 and
# x0.1 at epochs 150/180/210 are the base schedule's (same yaml)
optim_wrapper = dict(optimizer=dict(lr=0.025))
