# data_preprocessors (MMPretrain's, for MLKD's two views) is registered by
# gdkd_seg.cls: importing mmpretrain.models pulls in torchvision and
# torch._dynamo, which the segmentation side does not need
from . import backbones, distillers, losses  # noqa: F401
