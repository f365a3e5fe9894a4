# KD + logit standardization, resnet34 -> resnet18 on ImageNet.
_base_ = ['../kd/kd_resnet34_to_resnet18_8xb64-100e_in1k.py']
model = dict(
    ce_weight=1.0,  # CE_w of the GDKD repo's LSKD (docs/losses.md §6)
    # tau 2, KD_w = lambda 9 (docs/losses.md §6, ImageNet)
    distill_losses=dict(temperature=2.0, loss_weight=9.0, logit_stand=True))
