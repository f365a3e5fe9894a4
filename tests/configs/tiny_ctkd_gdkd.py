# Our shipped CTKD + GDKD config
# (configs/ctkd/deeplabv3_r101_to_r18_gdkd_cityscapes.py), shrunk:
# tiny_gdkd.py with that config's distillation settings
# (tests/test_configs.py checks that they match).
_base_ = ['./tiny_gdkd.py']
model = dict(distill_losses=[
    dict(
        type='CTKDLoss',
        loss=dict(type='GDKDLoss', k=3, w0=1.0, w1=1.0, w2=2.0),
        t_start=1.0,
        t_end=20.0,
        lambda_max=0.0,
        lambda_min=-1.0,
        decay_loops=3333,
        by='iter')
])
