# DKD + logit standardization, ResNet-101 -> ViT-B/16 on ImageNet.
_base_ = ['../dkd/dkd_resnet101_to_vit-base-p16_64xb64-300e_in1k.py']
model = dict(
    # DERIVED (no upstream LS setting for ViTs on ImageNet): the LS repo's
    # DKD+LS rule (alpha and beta times lambda, T = tau, docs/losses.md
    # §6) with its ImageNet tau 2, lambda 9 on vit-gdkd's alpha 0.5, beta 1
    distill_losses=dict(alpha=4.5, beta=9.0, temperature=2.0,
                        logit_stand=True))
