# DKD + logit standardization, wrn-40-2 -> wrn-16-2 on CIFAR-100.
_base_ = ['../dkd/dkd_wrn-40-2_to_wrn-16-2_1xb64-240e_cifar100.py']
model = dict(
    # LS repo per-pair (tau, lambda, beta), docs/losses.md §6
    # T = tau, alpha = 1 * lambda, beta = 2 * lambda
    distill_losses=dict(
        alpha=12.0, beta=24.0, temperature=2.0, logit_stand=True))
