# MLKD (Jin et al., CVPR 2023) on ImageNet, as the published code computes
# it (docs, "MLKD"): a weak and a strong view of every image
# (../datasets/mlkd_imagenet_bs64.py). What the pairs of
# configs/cls/imagenet/mlkd share: the two-view data, the distillation
# schedule, MMPretrain's runtime and the ClsDistiller settings.
# Source: Jin-Ying/Multi-Level-Logit-Distillation @ 5ee473f,
# configs/imagenet/r34_r18/kd_ours.yaml.
_base_ = [
    '../datasets/mlkd_imagenet_bs64.py',
    '../schedules/imagenet_sgd_100e.py',
    '../mmpretrain_runtime.py',
]
distiller = dict(
    type='ClsDistiller',
    ce_weight=0.5,  # CE_WEIGHT 0.5, on each view (kd_ours.yaml)
    # TEMPERATURE 1, KD_WEIGHT 0.5 (kd_ours.yaml); no warm-up
    distill_losses=dict(type='MLKDLoss', temperature=1.0, kd_weight=0.5))
