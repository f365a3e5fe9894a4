"""The classification part of gdkd_seg (the ``cls`` extra): MMPretrain's
``ClsDistiller`` and the CIFAR / ImageNet backbones MMPretrain lacks.

``import gdkd_seg`` registers them when MMPretrain is installed and skips
them otherwise; the classification configs import this module
(``custom_imports``), so without MMPretrain they stop at once with a
message naming the extra.
"""
from .utils.extras import require_mmpretrain

require_mmpretrain('a classification config (configs/cls, ClsDistiller)')

from .models.backbones.cifar_mobilenet_v2 import CIFARMobileNetV2  # noqa
from .models.backbones.cifar_resnet import CIFARResNet  # noqa: E402
from .models.backbones.cifar_shufflenet_v1 import CIFARShuffleNetV1  # noqa
from .models.backbones.cifar_shufflenet_v2 import CIFARShuffleNetV2  # noqa
from .models.backbones.cifar_vgg import CIFARVGG  # noqa: E402
from .models.backbones.cifar_wrn import CIFARWideResNet  # noqa: E402
from .models.backbones.mobilenet_v1 import MobileNetV1  # noqa: E402
from .models.data_preprocessors import MultiViewClsDataPreprocessor  # noqa
from .models.distillers.cls_distiller import ClsDistiller  # noqa: E402

__all__ = [
    'ClsDistiller', 'CIFARResNet', 'CIFARWideResNet', 'CIFARVGG',
    'CIFARMobileNetV2', 'CIFARShuffleNetV1', 'CIFARShuffleNetV2',
    'MobileNetV1', 'MultiViewClsDataPreprocessor'
]
