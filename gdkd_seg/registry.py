"""Registries: losses go to MMEngine's root ``MODELS`` so that MMSeg
(scope ``mmseg``) and MMPretrain (scope ``mmpretrain``) configs both find
them; each distiller goes to its own library's registry."""
from mmengine.registry import MODELS

__all__ = ['MODELS']
