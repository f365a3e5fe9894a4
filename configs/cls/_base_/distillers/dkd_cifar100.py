# DKD on CIFAR-100: the ClsDistiller settings every pair of
# configs/cls/cifar100/dkd shares; a pair adds its student, teacher,
# teacher checkpoint and beta.
# Teachers are trained with their baseline configs (docs/classification.md);
# override their weights with model.teacher_ckpt=...
distiller = dict(
    type='ClsDistiller',
    ce_weight=1.0,  # CE_w, docs/losses.md §3
    warmup_epochs=20,  # W, docs/losses.md §3
    # alpha 1, per-pair beta, T 4 (docs/losses.md §3)
    distill_losses=dict(type='DKDLoss', alpha=1.0, temperature=4.0))
