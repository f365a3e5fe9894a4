"""The segmentation core's models: the shared loss core and the
segmentation distiller (the classification extra is :mod:`gdkd_seg.cls`,
the demo's backbone :mod:`gdkd_seg.demo`)."""
from . import distillers, losses  # noqa: F401  (registers the modules)
