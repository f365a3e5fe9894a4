# DKD + logit standardization, resnet110 -> resnet32 on CIFAR-100.
_base_ = ['../dkd/dkd_resnet110_to_resnet32_1xb64-240e_cifar100.py']
model = dict(
    # LS repo per-pair (tau, lambda, beta), docs/losses.md §6
    # T = tau, alpha = 1 * lambda, beta = 2 * lambda
    distill_losses=dict(
        alpha=15.0, beta=30.0, temperature=2.0, logit_stand=True))
