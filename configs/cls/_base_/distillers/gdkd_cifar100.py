# GDKD (top-k) on CIFAR-100: the ClsDistiller settings every pair of
# configs/cls/cifar100/gdkd shares; a pair adds its student, teacher,
# teacher checkpoint and w1 / w2.
# Teachers are trained with their baseline configs (docs/classification.md);
# override their weights with model.teacher_ckpt=...
distiller = dict(
    type='ClsDistiller',
    ce_weight=1.0,  # CE_w, docs/losses.md §4
    warmup_epochs=20,  # W, docs/losses.md §4
    # k 5, w0 1, per-pair w1/w2, T 4 (docs/losses.md §4 table, GDKD repo)
    distill_losses=dict(type='GDKDLoss', k=5, w0=1.0, temperature=4.0))
