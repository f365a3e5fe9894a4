# ResNet-56 as the locality-guidance code trains it: the CNN teacher of
# the ViT students (tiny-transformers configs/resnet/r-56_c100.yaml, also
# DISTILLATION.TEACHER_MODEL / TEACHER_WEIGHTS of the LS repo's
# *_KD_ours.yaml). Same network as ./resnet56_1xb64-240e_cifar100.py
# (pycls ResNet depth 56: 3x3 stem to 16, stages of 9 basic blocks at
# 16/32/64 channels, projection shortcuts), another recipe: 32-pixel
# strong augmentation with ImageNet mean/std, SGD 0.1 Nesterov cosine,
# 300 epochs, batch 128.
_base_ = [
    '../../_base_/models/cifar/resnet56.py',
    '../../_base_/datasets/cifar100_bs128_32px_vit-teacher.py',
    '../../_base_/schedules/cifar100_sgd_300e_vit-teacher.py',
    '../../_base_/default_runtime.py',
]
