"""The classification extra of gdkd_seg (what ``pip install .[cls]``
adds): MMPretrain's ``ClsDistiller``, the CIFAR / ImageNet backbones and
vision transformers MMPretrain lacks (PiT, PVT, Performer T2T-ViT), MLKD's
strong-view transform and two-view data preprocessor, and the masked-image
distillers DMAE and AMD (:mod:`gdkd_seg.cls.selfsup`).

``import gdkd_seg`` does not import this package: the classification and
masked-image configs do (``custom_imports=['gdkd_seg', 'gdkd_seg.cls']``),
which registers these modules in MMPretrain's registries. Without
MMPretrain it stops at once with a message naming the extra.
"""
from gdkd_seg.compat.extras import require_mmpretrain

require_mmpretrain('a classification or masked-image config (configs/cls: '
                   'ClsDistiller; configs/mim: DMAE, AMD)')

# registrations need MMPretrain, hence after the check
from .backbones import (PVT, CIFARMobileNetV2, CIFARResNet,  # noqa: E402
                        CIFARShuffleNetV1, CIFARShuffleNetV2, CIFARVGG,
                        CIFARWideResNet, MobileNetV1, PerformerT2TViT, PiT)
from .cls_distiller import ClsDistiller  # noqa: E402
from .mlkd_rand_augment import MLKDRandAugment  # noqa: E402
from .multi_view_cls_data_preprocessor import (  # noqa: E402
    MultiViewClsDataPreprocessor)
from .selfsup import AMD, DMAE, MaskedFeatureGenerator  # noqa: E402

__all__ = [
    'ClsDistiller', 'CIFARResNet', 'CIFARWideResNet', 'CIFARVGG',
    'CIFARMobileNetV2', 'CIFARShuffleNetV1', 'CIFARShuffleNetV2',
    'MobileNetV1', 'PiT', 'PVT', 'PerformerT2TViT', 'MLKDRandAugment',
    'MultiViewClsDataPreprocessor', 'AMD', 'DMAE', 'MaskedFeatureGenerator'
]
