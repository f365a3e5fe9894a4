# MLKD + logit standardization (the LS repo's "MLKD+Ours"),
# vgg13 -> vgg8 on CIFAR-100: its run
# logs/MLKD/mlkd,vgg13,vgg8,2,6.txt
# (sunshangquan/logit-standardization-KD @ f6e5aa5). A delta over the
# MLKD config: only the instance level is standardised.
_base_ = [
    '../mlkd/mlkd_vgg13_to_vgg8_1xb64-240e_cifar100.py'
]
model = dict(
    # --logit-stand --base-temp 2 --kd-weight 6 (tools/train.py 110-121;
    # the log's name gives T, KD_WEIGHT); CE_WEIGHT 0.1 (cfg.py 64)
    distill_losses=dict(temperature=2.0, kd_weight=6.0,
                        logit_stand=True))
# configs/cifar100/mlkd/vgg13_vgg8.yaml: EPOCHS 480, LR 0.01;
# the LR steps stay at 150/180/210
optim_wrapper = dict(optimizer=dict(lr=0.01))
train_cfg = dict(max_epochs=480)
