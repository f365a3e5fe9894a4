"""MMSeg's PSP and FCN heads with CIRKD's element-wise dropout.

CIRKD's ``_PSPHead`` and ``_FCNHead`` (winycg/CIRKD ``models/pspnet.py``,
``models/deeplabv3.py``) are MMSeg's ``PSPHead`` (bins 1, 2, 3, 6, each
an average pool + 1x1 conv to ``channels`` + BN + ReLU, concat
``[x, bins]``, 3x3 bottleneck) and ``FCNHead(num_convs=1,
concat_input=False)`` weight for weight and in inference. The one
difference is training-time only: CIRKD's dropout before the classifier
is ``nn.Dropout`` (element-wise), MMSeg's ``nn.Dropout2d`` (whole
channels). These subclasses change only that, so a checkpoint of either
loads into the other.
"""
import torch.nn as nn
from mmseg.models.decode_heads import FCNHead, PSPHead
from mmseg.registry import MODELS


def use_elementwise_dropout(head) -> None:
    """Replace a decode head's ``nn.Dropout2d`` by ``nn.Dropout`` of the
    same ratio (no parameters change)."""
    if head.dropout is not None:
        head.dropout = nn.Dropout(head.dropout_ratio)


@MODELS.register_module()
class CIRKDPSPHead(PSPHead):
    """MMSeg's ``PSPHead`` with element-wise classifier dropout."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        use_elementwise_dropout(self)


@MODELS.register_module()
class CIRKDFCNHead(FCNHead):
    """MMSeg's ``FCNHead`` with element-wise classifier dropout."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        use_elementwise_dropout(self)
