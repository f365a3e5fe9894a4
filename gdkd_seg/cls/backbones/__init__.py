"""Backbones MMPretrain lacks (registered in its ``MODELS``): the CIFAR
models of the logit-distillation benchmark, the ImageNet MobileNetV1
student, and the vision transformers of the logit-standardization paper's
CIFAR-100 table that MMPretrain has not (PiT, PVT, Performer T2T-ViT)."""
from .cifar_mobilenet_v2 import CIFARMobileNetV2
from .cifar_resnet import CIFARResNet
from .cifar_shufflenet_v1 import CIFARShuffleNetV1
from .cifar_shufflenet_v2 import CIFARShuffleNetV2
from .cifar_vgg import CIFARVGG
from .cifar_wrn import CIFARWideResNet
from .mobilenet_v1 import MobileNetV1
from .pit import PiT
from .pvt import PVT
from .t2t_vit_performer import PerformerT2TViT

__all__ = [
    'CIFARResNet', 'CIFARWideResNet', 'CIFARVGG', 'CIFARMobileNetV2',
    'CIFARShuffleNetV1', 'CIFARShuffleNetV2', 'MobileNetV1', 'PiT', 'PVT',
    'PerformerT2TViT'
]
