# DKD as seg-gdkd runs it (alpha 1, beta 2, T 1; main + 0.4 x aux logits):
# DeepLabV3-ResNet101 (CIRKD's teacher) -> PSPNet-ResNet18, CIRKD's Cityscapes
# protocol.
_base_ = [
    '../_base_/models/pspnet_r18.py',
    '../_base_/distillers/dkd.py',
]
model = dict(
    _base_.distiller,
    _delete_=True,
    student=_base_.model)
