# DKD in seg-gdkd (ZaberKo/seg-gdkd 8c3f0c8, losses/distiller/dkd.py):
# alpha 1, beta 2, T 1 (class defaults), labels nearest-downsampled to the
# 1/8 logits, ignored pixels left out (its DKD masks ignore -1); main and
# (x 0.4) auxiliary logits, no warm-up.
_base_ = ['./kd.py']
distiller = dict(distill_losses=[
    dict(type='DKDLoss', alpha=1.0, beta=2.0, temperature=1.0)
])
