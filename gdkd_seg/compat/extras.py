"""Optional parts of gdkd_seg and the pip extras that install them.

Segmentation needs MMSeg only. Classification (``ClsDistiller``, the
CIFAR/ImageNet backbones, ``configs/cls``) needs MMPretrain, installed by
the ``cls`` extra: ``pip install -e ".[cls]"`` (``requirements/cpu.txt``
pins it too).
"""
import importlib
import importlib.util
from contextlib import contextmanager
from typing import Iterator

CLS_HINT = ('install the classification extra: pip install -e ".[cls]" '
            '(or pip install -r requirements/cpu.txt, or pip install '
            '"mmpretrain>=1.2.0,<1.3")')


class MissingExtraError(ImportError):
    """A gdkd_seg feature needs a package of an extra that is missing."""


def has_mmpretrain() -> bool:
    """Whether MMPretrain is installed (found, not imported: importing
    the top-level package pulls in torchvision and torch._dynamo, which
    the segmentation side does not need)."""
    try:
        return importlib.util.find_spec('mmpretrain') is not None
    except (ImportError, ValueError):
        return False


def require_mmpretrain(what: str = 'classification') -> None:
    """Stop with a :class:`MissingExtraError` naming the ``cls`` extra
    when MMPretrain cannot be imported.

    Args:
        what: the feature that needs it, for the message.
    """
    if not has_mmpretrain():
        raise MissingExtraError(
            f'{what} needs MMPretrain, which is not installed: {CLS_HINT}')


def _names_mmpretrain(err: BaseException) -> bool:
    if isinstance(err, ModuleNotFoundError):
        return (err.name or '').split('.')[0] == 'mmpretrain'
    # pkg_resources.DistributionNotFound (MMEngine resolving an
    # `mmpretrain::` config path) without importing pkg_resources here
    return (type(err).__name__ == 'DistributionNotFound'
            and 'mmpretrain' in str(err))


@contextmanager
def explain_missing_extra(what: str = 'this config') -> Iterator[None]:
    """Re-raise "mmpretrain not found" errors (a missing module, or
    MMEngine failing to resolve an ``mmpretrain::`` base config) as a
    :class:`MissingExtraError` naming the ``cls`` extra."""
    try:
        yield
    except MissingExtraError:
        raise
    except Exception as err:  # noqa: B902 (re-raised unless recognised)
        if not _names_mmpretrain(err):
            raise
        raise MissingExtraError(
            f'{what} needs MMPretrain, which is not installed: '
            f'{CLS_HINT}') from err
