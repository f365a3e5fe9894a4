"""Backbones MMPretrain lacks (the CIFAR models of the logit-distillation
benchmark, the ImageNet MobileNetV1 student; registered only when
MMPretrain, the ``cls`` extra, is installed) and the demo's small
segmentation backbone (MMSeg registry)."""
from gdkd_seg.utils.extras import has_mmpretrain

from .plain_convnet import PlainConvNet

__all__ = ['PlainConvNet']

if has_mmpretrain():
    from .cifar_mobilenet_v2 import CIFARMobileNetV2
    from .cifar_resnet import CIFARResNet
    from .cifar_shufflenet_v1 import CIFARShuffleNetV1
    from .cifar_shufflenet_v2 import CIFARShuffleNetV2
    from .cifar_vgg import CIFARVGG
    from .cifar_wrn import CIFARWideResNet
    from .mobilenet_v1 import MobileNetV1

    __all__ += [
        'CIFARResNet', 'CIFARWideResNet', 'CIFARVGG', 'CIFARMobileNetV2',
        'CIFARShuffleNetV1', 'CIFARShuffleNetV2', 'MobileNetV1'
    ]
