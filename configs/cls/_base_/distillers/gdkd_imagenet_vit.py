# GDKD into ViT students on ImageNet as vit-gdkd runs it
# (config/gdkd.yaml): CE_w 1, k 5, w0 0.5, w1 1, w2 1, T 1, no warm-up.
distiller = dict(
    type='ClsDistiller',
    ce_weight=1.0,
    distill_losses=dict(type='GDKDLoss', k=5, w0=0.5, w1=1.0, w2=1.0,
                        temperature=1.0))
