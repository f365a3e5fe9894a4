# GDKD3 + logit standardization, ResNet-101 -> ViT-B/16 on ImageNet.
_base_ = ['../gdkd3/gdkd3_resnet101_to_vit-base-p16_64xb64-300e_in1k.py']
model = dict(
    # DERIVED (no upstream LS setting for GDKD3): vit-gdkd's GDKD3 weights
    # and T with both logits standardized, as LS_GDKD (docs/losses.md §6)
    distill_losses=dict(logit_stand=True))
