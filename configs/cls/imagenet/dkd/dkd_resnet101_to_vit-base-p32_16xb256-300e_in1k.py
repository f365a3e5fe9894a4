# DKD, ResNet-101 -> ViT-B/32 on ImageNet, as vit-gdkd runs it (the
# settings: ../../_base_/distillers/dkd_imagenet_vit.py).
_base_ = ['../baselines/vit-base-p32_16xb256-300e_in1k.py',
          '../../_base_/distillers/dkd_imagenet_vit.py']
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    # vit-gdkd's default teacher (train_kd.py --teacher resnet101
    # --teacher-weights DEFAULT) is torchvision's ResNet-101 with its
    # IMAGENET1K_V2 weights (81.89 top-1); MMPretrain's zoo has the same
    # network with 77.97 top-1 weights (resnet101_8xb32_in1k), used here
    teacher='mmpretrain::resnet/resnet101_8xb32_in1k.py',
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet101_8xb32_in1k_20210831-539c63f8.pth')  # noqa: E501
