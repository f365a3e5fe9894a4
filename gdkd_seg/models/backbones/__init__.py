"""MMSeg backbones that MMSeg lacks: CIRKD's students (the Cityscapes
protocol of configs/cirkd_protocol)."""
from .cirkd_mobilenet_v2 import CIRKDMobileNetV2
from .cirkd_resnet import CIRKDResNetV1c

__all__ = ['CIRKDMobileNetV2', 'CIRKDResNetV1c']
