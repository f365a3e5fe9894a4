# DKD + logit standardization (Z-score per pixel over the 19 classes).
# No upstream segmentation setting exists (docs/losses.md §6): DERIVED,
# the base temperature stays 1 here; tune it (and the loss weight).
_base_ = ['./segformer_mit-b4_to_mit-b0_cityscapes.py']
model = dict(
    distill_losses=[
        dict(type='DKDLoss', alpha=1.0, beta=2.0, temperature=1.0,
             logit_stand=True)
    ])
