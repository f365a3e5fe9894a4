# MLKD, wrn-40-2 -> shufflenet-v1 on CIFAR-100 (docs, "MLKD";
# wrn40_2_shuv1.yaml).
_base_ = ['../../_base_/models/cifar/shufflenet-v1.py',
          '../../_base_/distillers/mlkd_cifar100.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/wrn-40-2_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/wrn-40-2_1xb64-240e_cifar100/epoch_240.pth')
# LR 0.01 and EPOCHS 480 (wrn40_2_shuv1.yaml); the LR steps stay at 150/180/210
optim_wrapper = dict(optimizer=dict(lr=0.01))
train_cfg = dict(max_epochs=480)
