"""Library functions behind the tools."""
from .convert_cirkd import convert_cirkd
from .export_vit_backbone import export_vit_backbone
from .extract_student import extract_student

__all__ = ['convert_cirkd', 'export_vit_backbone', 'extract_student']
