# KD, ResNet-56 (32 px) -> PVT-Tiny (224 px) on CIFAR-100: the LS
# paper's ViT setting without LS (DERIVED, see the distiller base).
_base_ = ['../baselines/pvt-tiny_1xb128-300e_cifar100-224px.py',
          '../../_base_/distillers/kd_cifar100_vit.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    teacher='{{ fileDirname }}/../baselines/resnet56_1xb128-300e_cifar100.py',
    teacher_ckpt='work_dirs/resnet56_1xb128-300e_cifar100/epoch_300.pth',
    # T = base temperature tau: pvt-ti_c100_KD_ours.yaml LOGIT_TEMP 2,
    # EXTRA_WEIGHT_IN default 9 (config.py); its log name has no suffix
    distill_losses=dict(_base_.distiller.distill_losses,
                        temperature=2.0))
