# GDKD3 (top-1 / top-2..k / rest) on CIFAR-100: the ClsDistiller settings
# every pair of configs/cls/cifar100/gdkd3 shares; a pair adds its student,
# teacher, teacher checkpoint and w1 / w2.
# Teachers are trained with their baseline configs (docs/classification.md);
# override their weights with model.teacher_ckpt=...
distiller = dict(
    type='ClsDistiller',
    ce_weight=1.0,  # CE_w, docs/losses.md §5
    warmup_epochs=20,  # W, docs/losses.md §5
    # k 4, w0 1 (GDKD repo CFG.GDKD3), per-pair w1/w2 of the GDKD table
    # (docs/losses.md §5), T 4
    distill_losses=dict(type='GDKD3Loss', k=4, w0=1.0, temperature=4.0))
