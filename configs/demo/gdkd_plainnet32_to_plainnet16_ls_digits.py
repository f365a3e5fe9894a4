# Demo GDKD + logit standardization: the demo GDKD config with the loss of
# configs/gdkd/deeplabv3_r101_to_r18_ls_cityscapes.py.
_base_ = ['./gdkd_plainnet32_to_plainnet16_digits.py']
model = dict(
    distill_losses=[
        dict(type='GDKDLoss', k=3, w0=1.0, w1=1.0, w2=2.0, temperature=1.0,
             logit_stand=True)
    ])
