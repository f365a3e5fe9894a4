"""The segmentation core's models: the shared loss core, the segmentation
distiller, and the MMSeg backbones / decode heads of CIRKD's Cityscapes
protocol (the classification extra is :mod:`gdkd_seg.cls`, the demo's
backbone :mod:`gdkd_seg.demo`)."""
from . import (backbones, decode_heads, distillers,  # noqa: F401
               losses)  # (registers the modules)
