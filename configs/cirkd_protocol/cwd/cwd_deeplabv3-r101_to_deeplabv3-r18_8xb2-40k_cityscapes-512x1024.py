# Logit CWD as CIRKD runs it (T 4, weight 3; main logits): DeepLabV3-ResNet101
# (CIRKD's teacher) -> DeepLabV3-ResNet18, CIRKD's Cityscapes protocol.
_base_ = [
    '../_base_/models/deeplabv3_r18.py',
    '../_base_/distillers/cwd.py',
]
model = dict(
    _base_.distiller,
    _delete_=True,
    student=_base_.model)
