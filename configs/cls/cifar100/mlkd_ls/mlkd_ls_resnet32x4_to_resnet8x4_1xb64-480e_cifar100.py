# MLKD + logit standardization (the LS repo's "MLKD+Ours"),
# resnet32x4 -> resnet8x4 on CIFAR-100: its run
# logs/MLKD/mlkd,resnet32x4,resnet8x4,2,9.txt
# (sunshangquan/logit-standardization-KD @ f6e5aa5). A delta over the
# MLKD config: only the instance level is standardised.
_base_ = [
    '../mlkd/mlkd_resnet32x4_to_resnet8x4_1xb64-240e_cifar100.py'
]
model = dict(
    # --logit-stand --base-temp 2 --kd-weight 9 (tools/train.py 110-121;
    # the log's name gives T, KD_WEIGHT); CE_WEIGHT 0.1 (cfg.py 64)
    distill_losses=dict(temperature=2.0, kd_weight=9.0,
                        logit_stand=True))
# configs/cifar100/mlkd/resnet32x4_resnet8x4.yaml: EPOCHS 480, LR 0.025;
# the LR steps stay at 150/180/210
train_cfg = dict(max_epochs=480)
