# KD + logit standardization, ResNet-56 -> T2T-ViT-7 on CIFAR-100: the
# "KD+Ours" column of the LS paper's ViT table (78.43 top-1, best test
# epoch of its log).
_base_ = ['../kd/kd_resnet56_to_t2t-vit-7_1xb128-300e_cifar100-224px.py']
model = dict(
    # LOGIT_STANDARD True; KD_w = LOGIT_WEIGHT 1 x EXTRA_WEIGHT_IN
    # lambda = 6: log t2t-7_c100_KD_ours_3_6.txt (the yaml says T 2,
    # EXTRA_WEIGHT_IN default 9)
    distill_losses=dict(logit_stand=True, loss_weight=6.0))
