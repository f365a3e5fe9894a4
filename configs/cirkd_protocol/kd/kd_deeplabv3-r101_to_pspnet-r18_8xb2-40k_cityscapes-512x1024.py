# KD as seg-gdkd runs it (T 1; main + 0.4 x aux logits): DeepLabV3-ResNet101
# (CIRKD's teacher) -> PSPNet-ResNet18, CIRKD's Cityscapes protocol.
_base_ = [
    '../_base_/models/pspnet_r18.py',
    '../_base_/distillers/kd.py',
]
model = dict(
    _base_.distiller,
    _delete_=True,
    student=_base_.model)
