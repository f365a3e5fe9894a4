# KD + logit standardization, ResNet-56 -> DeiT-Tiny on CIFAR-100: the
# "KD+Ours" column of the LS paper's ViT table (78.55 top-1, best test
# epoch of its log).
_base_ = ['../kd/kd_resnet56_to_deit-tiny-p16_1xb128-300e_cifar100-224px.py']
model = dict(
    # LOGIT_STANDARD True; KD_w = LOGIT_WEIGHT 1 x EXTRA_WEIGHT_IN
    # lambda = 10: log deit-ti_c100_KD_ours_3_10.txt (the yaml says T 2,
    # EXTRA_WEIGHT_IN 10)
    distill_losses=dict(logit_stand=True, loss_weight=10.0))
