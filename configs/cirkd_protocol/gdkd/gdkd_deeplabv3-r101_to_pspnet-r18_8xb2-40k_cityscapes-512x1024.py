# GDKD as seg-gdkd runs it (k 3, w0 1, w1 1, w2 2, T 1; main + 0.4 x aux
# logits): DeepLabV3-ResNet101 (CIRKD's teacher) -> PSPNet-ResNet18, CIRKD's
# Cityscapes protocol.
_base_ = [
    '../_base_/models/pspnet_r18.py',
    '../_base_/distillers/gdkd.py',
]
model = dict(
    _base_.distiller,
    _delete_=True,
    student=_base_.model)
