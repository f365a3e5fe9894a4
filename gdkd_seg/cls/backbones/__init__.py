"""Backbones MMPretrain lacks (registered in its ``MODELS``): the CIFAR
models of the logit-distillation benchmark and the ImageNet MobileNetV1
student."""
from .cifar_mobilenet_v2 import CIFARMobileNetV2
from .cifar_resnet import CIFARResNet
from .cifar_shufflenet_v1 import CIFARShuffleNetV1
from .cifar_shufflenet_v2 import CIFARShuffleNetV2
from .cifar_vgg import CIFARVGG
from .cifar_wrn import CIFARWideResNet
from .mobilenet_v1 import MobileNetV1

__all__ = [
    'CIFARResNet', 'CIFARWideResNet', 'CIFARVGG', 'CIFARMobileNetV2',
    'CIFARShuffleNetV1', 'CIFARShuffleNetV2', 'MobileNetV1'
]
