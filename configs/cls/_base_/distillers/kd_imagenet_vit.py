# KD into ViT students on ImageNet as vit-gdkd runs it (ZaberKo/vit-gdkd
# @ 3dcace4, config/kd.yaml; distillers/kd.py): CE_w 0.5, KD_w 0.5, T 1,
# no warm-up. What every configs/cls/imagenet/kd pair with a ViT student
# shares; a pair adds its student and teacher.
distiller = dict(
    type='ClsDistiller',
    ce_weight=0.5,
    distill_losses=dict(type='KDLoss', temperature=1.0, loss_weight=0.5))
