# DKD + logit standardization, vgg13 -> mobilenet-v2 on CIFAR-100.
_base_ = ['../dkd/dkd_vgg13_to_mobilenet-v2_1xb64-240e_cifar100.py']
model = dict(
    # LS repo per-pair (tau, lambda, beta), docs/losses.md §6
    # T = tau, alpha = 1 * lambda, beta = 2 * lambda
    distill_losses=dict(
        alpha=9.0, beta=18.0, temperature=3.0, logit_stand=True))
