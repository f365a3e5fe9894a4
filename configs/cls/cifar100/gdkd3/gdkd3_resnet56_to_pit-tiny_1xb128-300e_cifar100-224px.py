# GDKD3, ResNet-56 (32 px) -> PiT-Tiny (224 px) on CIFAR-100: DERIVED
# (no upstream run; vit-gdkd's transformer setting, see the distiller
# base).
_base_ = ['../baselines/pit-tiny_1xb128-300e_cifar100-224px.py',
          '../../_base_/distillers/gdkd3_cifar100_vit.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/resnet56_1xb128-300e_cifar100.py',
    teacher_ckpt='work_dirs/resnet56_1xb128-300e_cifar100/epoch_300.pth')
