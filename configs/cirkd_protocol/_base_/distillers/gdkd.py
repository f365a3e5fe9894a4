# GDKD in seg-gdkd (ZaberKo/seg-gdkd 8c3f0c8, losses/distiller/gdkd.py,
# class defaults; docs/losses.md §4, §7): the teacher's top-k, k 3,
# w0 1, w1 1, w2 2, T 1, no ignore index (every pixel counts), main and
# (x 0.4) auxiliary logits, no warm-up.
_base_ = ['./kd.py']
distiller = dict(distill_losses=[
    dict(type='GDKDLoss', k=3, w0=1.0, w1=1.0, w2=2.0, temperature=1.0,
         ignore_index=None)
])
