# KD into the LS paper's CIFAR-100 ViT students (sunshangquan/
# logit-standardization-KD @ f6e5aa5, tiny-transformers/): the
# ClsDistiller settings every pair of configs/cls/cifar100/kd (ViT
# students) shares; a pair adds its student, the temperature, and
# (kd_ls/) logit standardization with its weight.
distiller = dict(
    type='ClsDistiller',
    # pycls/core/trainer.py: loss_cls * 0.5 when ENABLE_LOGIT
    ce_weight=0.5,
    # DISTILLATION.TEACHER_IMG_SIZE 32: models/distill.py feeds the
    # teacher the student's batch bilinearly resized to 32x32
    teacher_input_size=32,
    # LOGIT_WEIGHT 1.0 (*_KD_ours.yaml), soft KL x T^2, no warm-up. KD
    # without LS is not in the paper's table: DERIVED as the KD+LS run
    # with LOGIT_STANDARD False (models/distill.py then drops
    # EXTRA_WEIGHT_IN), i.e. KD_w 1 at the pair's temperature.
    distill_losses=dict(type='KDLoss', temperature=2.0, loss_weight=1.0))
