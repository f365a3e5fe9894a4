# DKD, wrn-40-2 -> wrn-16-2 on CIFAR-100.
_base_ = ['../baselines/wrn-16-2_1xb64-240e_cifar100.py',
          '../../_base_/distillers/dkd_cifar100.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/wrn-40-2_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/wrn-40-2_1xb64-240e_cifar100/epoch_240.pth',
    distill_losses=dict(_base_.distiller.distill_losses, beta=6.0))
