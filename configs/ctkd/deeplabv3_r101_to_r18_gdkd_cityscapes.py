# GDKD at CTKD's learned temperature, DeepLabV3-R101-D8 -> DeepLabV3-R18-D8,
# Cityscapes (DERIVED: no upstream segmentation CTKD exists). A delta over
# the GDKD config: same pair, GDKD weights, aux head distilled with 0.4
# (at the same learned T), MMSeg's 80k schedule.
_base_ = ['../gdkd/deeplabv3_r101_to_r18_cityscapes.py']
model = dict(
    # docs/losses.md §10: T = 1 + 20 sigmoid(theta) as upstream; theta is
    # trained by the student's SGD. The reversal factor's cosine ramp
    # 0 -> -1 runs over iterations here: 3333 = 10/240 of the 80k
    # iterations, the share of training CTKD's CIFAR ramp (10 of 240
    # epochs) takes.
    distill_losses=[
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
