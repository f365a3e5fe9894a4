"""The classification extra of gdkd_seg (what ``pip install .[cls]``
adds): MMPretrain's ``ClsDistiller``, the CIFAR / ImageNet backbones
MMPretrain lacks, and MLKD's strong-view transform and two-view data
preprocessor.

``import gdkd_seg`` does not import this package: the classification
configs do (``custom_imports=['gdkd_seg', 'gdkd_seg.cls']``), which
registers these modules in MMPretrain's registries. Without MMPretrain it
stops at once with a message naming the extra.
"""
from gdkd_seg.compat.extras import require_mmpretrain

require_mmpretrain('a classification config (configs/cls, ClsDistiller)')

# registrations need MMPretrain, hence after the check
from .backbones import (CIFARVGG, CIFARMobileNetV2, CIFARResNet,  # noqa: E402
                        CIFARShuffleNetV1, CIFARShuffleNetV2,
                        CIFARWideResNet, MobileNetV1)
from .cls_distiller import ClsDistiller  # noqa: E402
from .mlkd_rand_augment import MLKDRandAugment  # noqa: E402
from .multi_view_cls_data_preprocessor import (  # noqa: E402
    MultiViewClsDataPreprocessor)

__all__ = [
    'ClsDistiller', 'CIFARResNet', 'CIFARWideResNet', 'CIFARVGG',
    'CIFARMobileNetV2', 'CIFARShuffleNetV1', 'CIFARShuffleNetV2',
    'MobileNetV1', 'MLKDRandAugment', 'MultiViewClsDataPreprocessor'
]
