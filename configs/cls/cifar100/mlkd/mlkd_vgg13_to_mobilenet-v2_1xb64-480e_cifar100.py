# MLKD, vgg13 -> mobilenet-v2 on CIFAR-100 (docs, "MLKD"; vgg13_mv2.yaml).
_base_ = ['../../_base_/models/cifar/mobilenet-v2.py',
          '../../_base_/distillers/mlkd_cifar100.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/vgg13_1xb64-240e_cifar100.py',
    teacher_ckpt='work_dirs/vgg13_1xb64-240e_cifar100/epoch_240.pth')
# LR 0.01 and EPOCHS 480 (vgg13_mv2.yaml); the LR steps stay at 150/180/210
optim_wrapper = dict(optimizer=dict(lr=0.01))
train_cfg = dict(max_epochs=480)
