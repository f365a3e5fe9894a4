# GDKD3 + logit standardization, ResNet-56 -> PiT-Tiny on CIFAR-100.
_base_ = ['../gdkd3/gdkd3_resnet56_to_pit-tiny_1xb128-300e_cifar100-224px.py']
model = dict(
    # DERIVED (no upstream config): GDKD3 as in ../gdkd3 with both logits
    # standardized, T 1 as vit-gdkd (LS_GDKD keeps GDKD's temperature,
    # docs/losses.md §6)
    distill_losses=dict(logit_stand=True))
