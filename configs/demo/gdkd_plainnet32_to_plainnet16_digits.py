# Demo GDKD: the demo's distillation base with the losses of
# configs/gdkd/deeplabv3_r101_to_r18_cityscapes.py.
_base_ = ['./_base_/distill_digits.py']
model = dict(distill_losses=[
    dict(type='GDKDLoss', k=3, w0=1.0, w1=1.0, w2=2.0, temperature=1.0)
])
