# KD + logit standardization, resnet50 -> mobilenet-v2 on CIFAR-100.
_base_ = ['../kd/kd_resnet50_to_mobilenet-v2_1xb64-240e_cifar100.py']
model = dict(
    # LS repo per-pair (tau, lambda), docs/losses.md §6
    # T = tau, KD_w = lambda
    distill_losses=dict(temperature=3.0, loss_weight=1.0, logit_stand=True))
