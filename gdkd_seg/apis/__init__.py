"""Library functions behind the tools."""
from .export_vit_backbone import export_vit_backbone
from .extract_student import extract_student

__all__ = ['export_vit_backbone', 'extract_student']
