# GDKD3, ResNet-56 (32 px) -> DeiT-Tiny (224 px) on CIFAR-100: DERIVED
# (no upstream run; vit-gdkd's transformer setting, see the distiller
# base).
# The student has DeiT's distillation token and head (as upstream with
# logit distillation on): CE on the class token, KD on the
# distillation token, prediction = the mean of the two heads.
_base_ = ['../baselines/deit-tiny-p16_1xb128-300e_cifar100-224px.py',
          '../../_base_/distillers/gdkd3_cifar100_vit.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.student_with_dist_token,
    teacher='{{ fileDirname }}/../baselines/resnet56_1xb128-300e_cifar100.py',
    teacher_ckpt='work_dirs/resnet56_1xb128-300e_cifar100/epoch_300.pth')
