# GDKD + logit standardization, resnet50 -> mobilenet-v2 on CIFAR-100.
_base_ = ['../gdkd/gdkd_resnet50_to_mobilenet-v2_1xb64-240e_cifar100.py']
model = dict(
    # GDKD repo LS_GDKD, norm_mode "global": both logits standardized,
    # then GDKD with its own w0/w1/w2/k and T 4 (docs/losses.md §6)
    distill_losses=dict(logit_stand=True))
