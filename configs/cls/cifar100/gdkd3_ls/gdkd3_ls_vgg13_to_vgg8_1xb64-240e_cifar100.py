# GDKD3 + logit standardization, vgg13 -> vgg8 on CIFAR-100.
_base_ = ['../gdkd3/gdkd3_vgg13_to_vgg8_1xb64-240e_cifar100.py']
model = dict(
    # DERIVED (no upstream config): GDKD3 as in ../gdkd3 with both logits
    # standardized, T 4 as LS_GDKD (docs/losses.md §6)
    distill_losses=dict(logit_stand=True))
