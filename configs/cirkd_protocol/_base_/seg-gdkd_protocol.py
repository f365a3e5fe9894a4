# The protocol of seg-gdkd (ZaberKo/seg-gdkd 8c3f0c8, train_kd.py), i.e.
# DIST's segmentation code (hunto/DIST_KD 2418f18, segmentation/
# train_kd.py), which the GDKD paper's Cityscapes runs use: CIRKD's data,
# model and 40k x 16 schedule, but weight decay 5e-4, a poly floor of 1e-4
# (lr = 1e-4 + (0.02 - 1e-4) * (1 - i / 40000) ** 0.9, MMSeg's PolyLR
# eta_min) and validation every 400 iterations (--val-per-iters default,
# kept by its scripts).
_base_ = ['./cirkd_protocol.py']
optim_wrapper = dict(optimizer=dict(weight_decay=5e-4))
param_scheduler = [  # end=40001: see ./schedules/cirkd_40k.py
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=40001,
         by_epoch=False)
]
train_cfg = dict(val_interval=400)
default_hooks = dict(checkpoint=dict(interval=400))
