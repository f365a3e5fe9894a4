# KD, ResNet-56 (32 px) -> T2T-ViT-7 (224 px) on CIFAR-100: the LS
# paper's ViT setting without LS (DERIVED, see the distiller base).
_base_ = ['../baselines/t2t-vit-7_1xb128-300e_cifar100-224px.py',
          '../../_base_/distillers/kd_cifar100_vit.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/resnet56_1xb128-300e_cifar100.py',
    teacher_ckpt='work_dirs/resnet56_1xb128-300e_cifar100/epoch_300.pth',
    # T = base temperature tau: log t2t-7_c100_KD_ours_3_6.txt (the yaml says T
    # 2, EXTRA_WEIGHT_IN default 9)
    distill_losses=dict(_base_.distiller.distill_losses,
                        temperature=3.0))
