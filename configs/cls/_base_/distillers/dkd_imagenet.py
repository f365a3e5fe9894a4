# DKD on ImageNet: the ClsDistiller settings every pair of
# configs/cls/imagenet/dkd shares; a pair adds its beta.
distiller = dict(
    type='ClsDistiller',
    ce_weight=1.0,  # CE_w, docs/losses.md §3
    warmup_epochs=1,  # W 1 = no effective warm-up, docs/losses.md §3
    # T 1, beta per pair; alpha unset in mdistiller's configs = 1.0
    # (the GDKD repo's dkd_ori.yaml uses 0.5), docs/losses.md §3
    distill_losses=dict(type='DKDLoss', alpha=1.0, temperature=1.0))
