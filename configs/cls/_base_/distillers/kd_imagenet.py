# KD on ImageNet: the ClsDistiller settings every pair of
# configs/cls/imagenet/kd shares (transfer learning uses them too:
# ./kd_tl.py).
distiller = dict(
    type='ClsDistiller',
    ce_weight=0.5,  # CE_w, docs/losses.md §2 (ImageNet)
    # KD_w 0.5, T 1 (docs/losses.md §2)
    distill_losses=dict(type='KDLoss', temperature=1.0, loss_weight=0.5))
