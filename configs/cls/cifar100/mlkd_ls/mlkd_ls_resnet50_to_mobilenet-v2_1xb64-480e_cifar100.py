# MLKD + logit standardization (the LS repo's "MLKD+Ours"),
# resnet50 -> mobilenet-v2 on CIFAR-100: its run
# logs/MLKD/mlkd,res50,mv2,2,9.txt
# (sunshangquan/logit-standardization-KD @ f6e5aa5). A delta over the
# MLKD config: only the instance level is standardised.
_base_ = [
    '../mlkd/mlkd_resnet50_to_mobilenet-v2_1xb64-480e_cifar100.py'
]
model = dict(
    # --logit-stand --base-temp 2 --kd-weight 9 (tools/train.py 110-121;
    # the log's name gives T, KD_WEIGHT); CE_WEIGHT 0.1 (cfg.py 64)
    distill_losses=dict(temperature=2.0, kd_weight=9.0,
                        logit_stand=True))
