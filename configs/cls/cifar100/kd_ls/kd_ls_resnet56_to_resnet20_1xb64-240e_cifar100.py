# KD + logit standardization, resnet56 -> resnet20 on CIFAR-100.
_base_ = ['../kd/kd_resnet56_to_resnet20_1xb64-240e_cifar100.py']
model = dict(
    # LS repo per-pair (tau, lambda), docs/losses.md §6
    # T = tau, KD_w = lambda
    distill_losses=dict(temperature=2.0, loss_weight=9.0, logit_stand=True))
