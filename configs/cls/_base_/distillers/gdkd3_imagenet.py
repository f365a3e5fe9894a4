# GDKD3 on ImageNet: the ClsDistiller settings every pair of
# configs/cls/imagenet/gdkd3 shares; a pair adds its w1 / w2.
distiller = dict(
    type='ClsDistiller',
    ce_weight=1.0,  # CE_w, docs/losses.md §5
    warmup_epochs=1,  # W as GDKD on ImageNet
    # DERIVED (no upstream ImageNet GDKD3 config): k 5 and T 1 as
    # vit-gdkd's gdkd3.yaml, w0/w1/w2 of the pair's GDKD (docs/losses.md §5)
    distill_losses=dict(type='GDKD3Loss', k=5, w0=0.5, temperature=1.0))
