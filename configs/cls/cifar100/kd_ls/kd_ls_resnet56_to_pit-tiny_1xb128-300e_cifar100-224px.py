# KD + logit standardization, ResNet-56 -> PiT-Tiny on CIFAR-100: the
# "KD+Ours" column of the LS paper's ViT table (78.76 top-1, best test
# epoch of its log).
_base_ = ['../kd/kd_resnet56_to_pit-tiny_1xb128-300e_cifar100-224px.py']
model = dict(
    # LOGIT_STANDARD True; KD_w = LOGIT_WEIGHT 1 x EXTRA_WEIGHT_IN
    # lambda = 9: pit-ti_c100_KD_ours.yaml LOGIT_TEMP 2, EXTRA_WEIGHT_IN
    # default 9 (config.py); its log name has no suffix
    distill_losses=dict(logit_stand=True, loss_weight=9.0))
