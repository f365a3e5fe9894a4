# GDKD, resnet50 -> mobilenet-v1, transfer learning on tiny-imagenet (teacher
# fine-tuned with its baseline; the student starts from ImageNet weights).
_base_ = ['../baselines/mobilenet-v1_1xb64-100e_tinyimagenet.py',
          '../../_base_/distillers/gdkd_tl.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/resnet50_1xb64-100e_tinyimagenet.py',  # noqa: E501
    teacher_ckpt='work_dirs/resnet50_1xb64-100e_tinyimagenet/epoch_100.pth',
    distill_losses=dict(_base_.distiller.distill_losses, w1=2.0, w2=2.0))
