# KD, resnet50 -> mobilenet-v1, transfer learning on cub (teacher fine-tuned
# with its baseline; the student starts from ImageNet weights).
_base_ = ['../baselines/mobilenet-v1_1xb64-100e_cub.py',
          '../../_base_/distillers/kd_tl.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/resnet50_1xb64-100e_cub.py',
    teacher_ckpt='work_dirs/resnet50_1xb64-100e_cub/epoch_100.pth')
