# KD (Hinton) on CIFAR-100: the ClsDistiller settings every pair of
# configs/cls/cifar100/kd shares (`model = dict(_base_.distiller, ...)`
# adds the student, teacher and teacher checkpoint).
# Teachers are trained with their baseline configs (docs/classification.md);
# override their weights with model.teacher_ckpt=...
distiller = dict(
    type='ClsDistiller',
    ce_weight=0.1,  # CE_w, docs/losses.md §2 (CIFAR-100)
    # KD_w 0.9, T 4 (docs/losses.md §2); no warm-up (mdistiller KD)
    distill_losses=dict(type='KDLoss', temperature=4.0, loss_weight=0.9))
