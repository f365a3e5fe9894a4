# GDKD3 (top-1 / top-2..k / rest), the GDKD paper's variant for
# transformers, into ViT students on ImageNet as vit-gdkd runs it
# (config/gdkd3.yaml at 3dcace4): CE_w 1, k 5, w0 1, w1 1, w2 1, T 1, no
# warm-up. (w0 was 0.5 when GDKD3 was added, 09ebba6; 8a23589 "update
# gdkd3 default w0" set 1.)
distiller = dict(
    type='ClsDistiller',
    ce_weight=1.0,
    distill_losses=dict(type='GDKD3Loss', k=5, w0=1.0, w1=1.0, w2=1.0,
                        temperature=1.0))
