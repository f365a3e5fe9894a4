# GDKD3, resnet50 -> mobilenet-v1 on ImageNet (teacher: MMPretrain's).
_base_ = ['../baselines/mobilenet-v1_8xb64-100e_in1k.py',
          '../../_base_/distillers/gdkd3_imagenet.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='mmpretrain::resnet/resnet50_8xb32_in1k.py',
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth',  # noqa: E501
    distill_losses=dict(_base_.distiller.distill_losses, w1=2.0, w2=2.0))
