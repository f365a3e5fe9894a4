from gdkd_seg.utils.extras import has_mmpretrain

from .base import BaseDistiller
from .seg_distiller import SegDistiller

__all__ = ['BaseDistiller', 'SegDistiller']

if has_mmpretrain():  # the `cls` extra
    from .cls_distiller import ClsDistiller

    __all__ += ['ClsDistiller']
