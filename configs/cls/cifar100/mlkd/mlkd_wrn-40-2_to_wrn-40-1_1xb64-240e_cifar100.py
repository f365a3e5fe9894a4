# MLKD, wrn-40-2 -> wrn-40-1 on CIFAR-100 (docs, "MLKD";
# wrn40_2_wrn_40_1.yaml).
_base_ = ['../../_base_/models/cifar/wrn-40-1.py',
          '../../_base_/distillers/mlkd_cifar100.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/wrn-40-2_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/wrn-40-2_1xb64-240e_cifar100/epoch_240.pth')
# LR 0.025 (wrn40_2_wrn_40_1.yaml); the rest of the schedule is the base's
optim_wrapper = dict(optimizer=dict(lr=0.025))
