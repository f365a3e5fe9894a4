from . import backbones, data_preprocessors, distillers, losses  # noqa: F401
