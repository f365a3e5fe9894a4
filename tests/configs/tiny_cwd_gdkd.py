# Our shipped CWD + GDKD config
# (configs/cwd/deeplabv3_r101_to_r18_cwd_gdkd_cityscapes.py), shrunk:
# tiny_gdkd.py with that config's distillation settings
# (tests/test_configs.py checks that they match).
_base_ = ['./tiny_gdkd.py']
model = dict(
    distill_losses=[
        dict(type='CWDLoss', temperature=4.0, loss_weight=3.0),
        dict(type='GDKDLoss', k=3, w0=1.0, w1=1.0, w2=2.0, temperature=1.0)
    ],
    aux_distill_weight=0.0)
