# GDKD (top-k) on ImageNet: the ClsDistiller settings every pair of
# configs/cls/imagenet/gdkd shares; a pair adds its w1 / w2.
distiller = dict(
    type='ClsDistiller',
    ce_weight=1.0,  # CE_w, docs/losses.md §4
    warmup_epochs=1,  # W, docs/losses.md §4
    # k 5, T 1, per-pair w0/w1/w2 (docs/losses.md §4 table)
    distill_losses=dict(type='GDKDLoss', k=5, w0=0.5, temperature=1.0))
