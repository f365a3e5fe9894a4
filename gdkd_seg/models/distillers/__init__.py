from .base import BaseDistiller
from .seg_distiller import SegDistiller

__all__ = ['BaseDistiller', 'SegDistiller']
