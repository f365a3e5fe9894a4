# CTKD + logit standardization, resnet32x4 -> shufflenet-v2 on CIFAR-100.
_base_ = ['../ctkd/ctkd_resnet32x4_to_shufflenet-v2_1xb64-240e_cifar100.py']
model = dict(
    # LS repo CTKD/ CIFAR script (docs/losses.md §10): Z-score both
    # logits, then divide by the learned T; KD weight 9, CE 0.1
    distill_losses=dict(loss=dict(logit_stand=True, loss_weight=9.0)))
