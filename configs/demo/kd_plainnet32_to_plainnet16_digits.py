# Demo KD: the demo's distillation base with the losses of
# configs/kd/deeplabv3_r101_to_r18_cityscapes.py.
_base_ = ['./_base_/distill_digits.py']
model = dict(distill_losses=[dict(type='KDLoss', temperature=1.0)])
