# DKD + logit standardization, resnet32x4 -> resnet8x4 on CIFAR-100.
_base_ = ['../dkd/dkd_resnet32x4_to_resnet8x4_1xb64-240e_cifar100.py']
model = dict(
    # LS repo per-pair (tau, lambda, beta), docs/losses.md §6
    # T = tau, alpha = 1 * lambda, beta = 8 * lambda
    distill_losses=dict(
        alpha=9.0, beta=72.0, temperature=2.0, logit_stand=True))
