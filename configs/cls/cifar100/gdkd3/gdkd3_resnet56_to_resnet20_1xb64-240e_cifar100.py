# GDKD3 (top-1 / top-2..k / rest), resnet56 -> resnet20 on CIFAR-100.
_base_ = ['../baselines/resnet20_1xb64-240e_cifar100.py',
          '../../_base_/distillers/gdkd3_cifar100.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/resnet56_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/resnet56_1xb64-240e_cifar100/epoch_240.pth',
    distill_losses=dict(_base_.distiller.distill_losses, w1=1.0, w2=1.0))
