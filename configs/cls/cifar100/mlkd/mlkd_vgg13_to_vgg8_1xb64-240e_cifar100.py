# MLKD, vgg13 -> vgg8 on CIFAR-100 (docs, "MLKD"; vgg13_vgg8.yaml).
_base_ = ['../../_base_/models/cifar/vgg8.py',
          '../../_base_/distillers/mlkd_cifar100.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/vgg13_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/vgg13_1xb64-240e_cifar100/epoch_240.pth')
# LR 0.025 (vgg13_vgg8.yaml); the rest of the schedule is the base's
optim_wrapper = dict(optimizer=dict(lr=0.025))
