# MLKD (Jin et al., CVPR 2023) on CIFAR-100, as the published code computes
# it (docs, "MLKD"): a weak and a strong view of every image
# (../datasets/mlkd_cifar100_bs64.py), instance, class and batch levels at
# T in [4, 3, 5, 2, 6]. What every pair of configs/cls/cifar100/mlkd
# shares: the two-view data, the schedule, the runtime and the
# ClsDistiller settings; a pair adds its student model, teacher, teacher
# checkpoint and learning rate. Teachers: their baseline configs
# (docs/classification.md); override with model.teacher_ckpt=...
# Sources: Jin-Ying/Multi-Level-Logit-Distillation @ 5ee473f,
# configs/cifar100/ours/*.yaml (schedule; they set no loss weights) and
# mdistiller/engine/cfg.py (loss weights).
_base_ = [
    '../datasets/mlkd_cifar100_bs64.py',
    '../schedules/cifar100_sgd_240e.py',
    '../default_runtime.py',
]
distiller = dict(
    type='ClsDistiller',
    ce_weight=0.1,  # CE_WEIGHT, on each view (cfg.py 63, KD_ours.py 114)
    # KD.TEMPERATURE 4, KD_WEIGHT 0.9 (cfg.py 61, 64); no warm-up
    distill_losses=dict(type='MLKDLoss', temperature=4.0, kd_weight=0.9))
