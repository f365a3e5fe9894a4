# Demo DKD: the demo's distillation base with the losses of
# configs/dkd/deeplabv3_r101_to_r18_cityscapes.py.
_base_ = ['./_base_/distill_digits.py']
model = dict(distill_losses=[
    dict(type='DKDLoss', alpha=1.0, beta=2.0, temperature=1.0)
])
