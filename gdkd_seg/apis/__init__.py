"""Library functions behind the tools."""
from .convert_cirkd import convert_cirkd
from .extract_student import extract_student

__all__ = ['convert_cirkd', 'extract_student']
