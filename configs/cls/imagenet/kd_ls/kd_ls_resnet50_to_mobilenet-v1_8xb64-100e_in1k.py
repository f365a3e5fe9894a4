# KD + logit standardization, resnet50 -> mobilenet-v1 on ImageNet.
_base_ = ['../kd/kd_resnet50_to_mobilenet-v1_8xb64-100e_in1k.py']
model = dict(
    # tau 2, KD_w = lambda 9 (docs/losses.md §6, ImageNet)
    distill_losses=dict(temperature=2.0, loss_weight=9.0, logit_stand=True))
