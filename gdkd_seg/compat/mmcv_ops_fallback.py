"""A stand-in for ``mmcv.ops`` when only ``mmcv-lite`` is installed.

mmseg 1.2.2 imports ``mmcv.ops`` at module level (``point_sample``,
``sigmoid_focal_loss``), which fails without mmcv's compiled extension and
makes ``import mmseg.models`` fail. The stand-in provides the ops that are
pure PyTorch, a ``sigmoid_focal_loss`` that raises a clear error when
called, and raises ``ModuleNotFoundError`` (what mmseg's guarded imports
catch) for every other op, so heads that truly need compiled ops refuse to
build. It does nothing when the real compiled ``mmcv.ops`` is present.
"""
import importlib.util
import sys
import types

import torch.nn.functional as F
from torch import Tensor

_HINT = ('mmcv-lite is installed, which has no compiled ops; install the '
         "full mmcv built for your torch/CUDA (OpenMMLab's prebuilt wheels, "
         'see docs/en/get_started.md, "Getting mmcv") to use it')


def point_sample(input: Tensor,
                 points: Tensor,
                 align_corners: bool = False,
                 **kwargs) -> Tensor:
    """Sample ``input`` (N, C, H, W) at points given in ``[0, 1]^2``.

    Args:
        input: feature map ``(N, C, H, W)``.
        points: ``(N, P, 2)`` or ``(N, Hg, Wg, 2)`` (x, y) in ``[0, 1]``.
        align_corners: as :func:`torch.nn.functional.grid_sample`.

    Returns:
        ``(N, C, P)`` or ``(N, C, Hg, Wg)`` samples.
    """
    flat = points.dim() == 3
    grid = points.unsqueeze(2) if flat else points  # (N, P, 1, 2)
    out = F.grid_sample(
        input, grid * 2.0 - 1.0, align_corners=align_corners, **kwargs)
    return out.squeeze(3) if flat else out


def sigmoid_focal_loss(*args, **kwargs):
    """Placeholder: the compiled focal loss is not in mmcv-lite."""
    raise RuntimeError(f'mmcv.ops.sigmoid_focal_loss: {_HINT}')


_MARK = '__gdkd_seg_stand_in__'


class _LiteOps(types.ModuleType):
    """``mmcv.ops`` with only the ops that run without compiled code."""

    def __getattr__(self, name: str):
        if name.startswith('__'):
            raise AttributeError(name)
        raise ModuleNotFoundError(f'mmcv.ops.{name}: {_HINT}')


def has_compiled_ops() -> bool:
    """Whether mmcv's compiled extension (``mmcv._ext``) is installed."""
    try:
        return importlib.util.find_spec('mmcv._ext') is not None
    except ImportError:  # mmcv itself missing
        return False


def install() -> bool:
    """Put the stand-in at ``mmcv.ops`` if mmcv has no compiled ops.

    Must run before ``mmseg.models`` is imported (importing ``gdkd_seg``
    does it). Idempotent: a stand-in already in place (even one made by
    an earlier copy of this module, e.g. before ``importlib.reload``) is
    kept, so modules that imported its ops keep the same objects.

    Returns:
        Whether the stand-in is (now) in place.
    """
    if getattr(sys.modules.get('mmcv.ops'), _MARK, False):
        return True
    if has_compiled_ops() or importlib.util.find_spec('mmcv') is None:
        return False
    import mmcv
    ops = _LiteOps('mmcv.ops', __doc__)
    ops.point_sample = point_sample
    ops.sigmoid_focal_loss = sigmoid_focal_loss
    ops.__path__ = []  # a package: ``mmcv.ops.x`` imports fail cleanly
    setattr(ops, _MARK, True)
    sys.modules['mmcv.ops'] = ops
    mmcv.ops = ops
    return True


__all__ = ['install', 'has_compiled_ops', 'point_sample']
