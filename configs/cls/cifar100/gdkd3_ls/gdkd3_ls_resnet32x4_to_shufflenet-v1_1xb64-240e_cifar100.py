# GDKD3 + logit standardization, resnet32x4 -> shufflenet-v1 on CIFAR-100.
_base_ = ['../gdkd3/gdkd3_resnet32x4_to_shufflenet-v1_1xb64-240e_cifar100.py']
model = dict(
    # DERIVED (no upstream config): GDKD3 as in ../gdkd3 with both logits
    # standardized, T 4 as LS_GDKD (docs/losses.md §6)
    distill_losses=dict(logit_stand=True))
