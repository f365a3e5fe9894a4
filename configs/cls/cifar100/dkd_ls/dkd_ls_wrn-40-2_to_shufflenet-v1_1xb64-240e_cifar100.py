# DKD + logit standardization, wrn-40-2 -> shufflenet-v1 on CIFAR-100.
_base_ = ['../dkd/dkd_wrn-40-2_to_shufflenet-v1_1xb64-240e_cifar100.py']
model = dict(
    # pair not in the LS logs: tau 2, lambda 9, DKD beta (docs/losses.md §6)
    # T = tau, alpha = 1 * lambda, beta = 8 * lambda
    distill_losses=dict(
        alpha=9.0, beta=72.0, temperature=2.0, logit_stand=True))
