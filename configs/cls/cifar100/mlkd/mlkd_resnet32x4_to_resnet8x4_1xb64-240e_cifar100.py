# MLKD, resnet32x4 -> resnet8x4 on CIFAR-100 (docs, "MLKD";
# res32x4_res8x4.yaml).
_base_ = ['../../_base_/models/cifar/resnet8x4.py',
          '../../_base_/distillers/mlkd_cifar100.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/resnet32x4_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/resnet32x4_1xb64-240e_cifar100/epoch_240.pth')
# LR 0.025 (res32x4_res8x4.yaml); the rest of the schedule is the base's
optim_wrapper = dict(optimizer=dict(lr=0.025))
