# GDKD (top-k), resnet34 -> resnet18 on ImageNet; teacher from MMPretrain's
# model zoo.
_base_ = ['../baselines/resnet18_8xb64-100e_in1k.py',
          '../../_base_/distillers/gdkd_imagenet.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='mmpretrain::resnet/resnet34_8xb32_in1k.py',
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth',  # noqa: E501
    distill_losses=dict(_base_.distiller.distill_losses, w1=1.0, w2=1.0))
