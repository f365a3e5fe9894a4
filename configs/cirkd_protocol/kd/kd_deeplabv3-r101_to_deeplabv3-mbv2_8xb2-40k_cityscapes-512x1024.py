# KD as seg-gdkd runs it (T 1; main + 0.4 x aux logits): DeepLabV3-ResNet101
# (CIRKD's teacher) -> DeepLabV3-MobileNetV2, CIRKD's Cityscapes protocol.
_base_ = [
    '../_base_/models/deeplabv3_mbv2.py',
    '../_base_/distillers/kd.py',
]
model = dict(
    _base_.distiller,
    _delete_=True,
    # no auxiliary head: seg-gdkd's MobileNet students distil
    # their main logits only
    aux_distill_weight=0.0,
    student=_base_.model)
