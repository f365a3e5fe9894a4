# CWD and GDKD together (DERIVED: no upstream runs both): CIRKD's logit CWD
# plus the seg-gdkd GDKD on the same decode-head logits; each is logged
# on its own (loss_cwd; loss_gdkd with its sub-terms) and their sum is
# back-propagated. Weights are each method's own, not tuned together.
_base_ = ['./deeplabv3_r101_to_r18_cityscapes.py']
model = dict(
    # docs/losses.md §9 (CWD) and §4, §7 (GDKD: T 1, k 3, w 1 / 1 / 2)
    distill_losses=[
        dict(type='CWDLoss', temperature=4.0, loss_weight=3.0),
        dict(type='GDKDLoss', k=3, w0=1.0, w1=1.0, w2=2.0, temperature=1.0)
    ])
