# GDKD (top-k), resnet32x4 -> shufflenet-v2 on CIFAR-100.
_base_ = ['../baselines/shufflenet-v2_1xb64-240e_cifar100.py',
          '../../_base_/distillers/gdkd_cifar100.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/resnet32x4_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/resnet32x4_1xb64-240e_cifar100/epoch_240.pth',
    distill_losses=dict(_base_.distiller.distill_losses, w1=1.0, w2=8.0))
