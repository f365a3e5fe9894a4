# GDKD + logit standardization, ResNet-101 -> ViT-B/32 on ImageNet.
_base_ = ['../gdkd/gdkd_resnet101_to_vit-base-p32_16xb256-300e_in1k.py']
model = dict(
    # DERIVED (no upstream LS setting for ViTs): the GDKD repo's LS_GDKD
    # "global" mode, vit-gdkd's GDKD weights and T with both logits
    # standardized (docs/losses.md §6)
    distill_losses=dict(logit_stand=True))
