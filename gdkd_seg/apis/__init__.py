"""Library functions behind the tools."""
from .extract_student import extract_student

__all__ = ['extract_student']
