"""Checkpoints as plain data: what ``torch.load`` reads with its default
``weights_only=True`` and nothing allow-listed.

MMEngine puts three kinds of objects in a run checkpoint that torch's
safe unpickler refuses: the message hub's ``HistoryBuffer``s, numpy
arrays (their histories, the numpy RNG state of ``RNGStateHook``) and
numpy scalars (``eta``, MMSeg's metrics). :func:`to_plain` stores each
as a small dict of tensors and builtins, tagged with :data:`TAG`;
:func:`from_plain` rebuilds the same objects (same classes, dtypes and
bits) from those dicts, and only from them: it calls no function the
file names, and refuses a malformed tag.

A plain reader (``torch.load``, MMSeg's ``init_model``) sees the tagged
dicts; our loaders and ``SafeLoadHook`` see the original objects.
"""
import re
from collections import Counter, OrderedDict
from typing import Any, List, Tuple

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer

TAG = '__gdkd_plain__'
# the numpy dtypes torch.from_numpy stores exactly (kind + itemsize),
# in any byte order (kept in the dtype string)
_DTYPE = re.compile(r'^[<>|=]?(b1|[iu][1248]|f[248]|c(8|16))$')
# what weights_only unpickles without an allow-list (Counter: MultiStepLR's
# milestones)
_DICTS = (dict, OrderedDict, Counter)
_PLAIN_LEAVES = (type(None), bool, int, float, complex, str, bytes,
                 bytearray, torch.device, torch.dtype, torch.Size)


class MalformedPlainData(ValueError):
    """A tagged dict that :func:`to_plain` cannot have written."""


def _array(arr: np.ndarray) -> dict:
    native = arr.astype(arr.dtype.newbyteorder('='), copy=False)
    data = torch.from_numpy(np.ascontiguousarray(native)).clone()
    return {TAG: 'ndarray', 'dtype': arr.dtype.str,
            'shape': list(arr.shape), 'data': data}


def _storable(arr) -> bool:
    # not longdouble, strings, objects, datetimes
    return bool(_DTYPE.match(arr.dtype.str))


def to_plain(obj: Any, path: str = '') -> Tuple[Any, List[str]]:
    """``obj`` with every HistoryBuffer, numpy array and numpy scalar
    replaced by a tagged dict of tensors and builtins.

    New containers are built (dict, OrderedDict, list, tuple keep their
    types); ``obj`` and the live objects it refers to are not changed.

    Returns:
        ``(plain, left)``: the converted object and the paths of values
        that are still not plain data (e.g. an object of another class),
        which a plain ``torch.load`` will refuse.
    """
    left: List[str] = []
    return _to_plain(obj, path, left), left


def _to_plain(obj, path, left):
    if isinstance(obj, torch.Tensor) or type(obj) in _PLAIN_LEAVES:
        return obj
    if type(obj) is HistoryBuffer:
        return {TAG: 'HistoryBuffer', 'max_length': int(obj.max_length),
                'log': _to_plain(obj._log_history, path, left),
                'count': _to_plain(obj._count_history, path, left)}
    if isinstance(obj, np.ndarray) and _storable(obj):
        return _array(obj)
    if isinstance(obj, np.generic) and _storable(obj):
        return dict(_array(np.asarray(obj)), **{TAG: 'numpy_scalar'})
    if type(obj) in _DICTS:
        # via a dict: Counter(pairs) would count the pairs
        return type(obj)({k: _to_plain(v, f'{path}.{k}', left)
                          for k, v in obj.items()})
    if type(obj) in (list, tuple, set):
        return type(obj)(_to_plain(v, f'{path}[{i}]', left)
                         for i, v in enumerate(obj))
    left.append(f'{path.lstrip(".") or "it"} ({type(obj).__qualname__})')
    return obj


def _decode_array(tagged: dict, what: str) -> np.ndarray:
    if set(tagged) != {TAG, 'dtype', 'shape', 'data'}:
        raise MalformedPlainData(f'{what}: keys {sorted(tagged, key=str)}')
    dtype, shape, data = tagged['dtype'], tagged['shape'], tagged['data']
    if not (isinstance(dtype, str) and _DTYPE.match(dtype)):
        raise MalformedPlainData(f'{what}: dtype {dtype!r:.40}')
    if not (isinstance(shape, list) and all(
            type(n) is int and n >= 0 for n in shape)):
        raise MalformedPlainData(f'{what}: shape {shape!r:.60}')
    dtype = np.dtype(dtype)
    if not (type(data) is torch.Tensor and data.layout == torch.strided
            and data.numel() == int(np.prod(shape))
            and data.numpy().dtype == dtype.newbyteorder('=')):
        raise MalformedPlainData(f'{what}: data does not match {dtype} '
                                 f'{shape}')
    return data.numpy().astype(dtype).reshape(shape)


def _from_tagged(tagged: dict, what: str):
    kind = tagged[TAG]
    if kind == 'ndarray':
        return _decode_array(tagged, what)
    if kind == 'numpy_scalar':
        arr = _decode_array(dict(tagged, **{TAG: 'ndarray'}), what)
        if arr.shape != ():
            raise MalformedPlainData(f'{what}: scalar of shape {arr.shape}')
        return arr[()]
    if kind == 'HistoryBuffer':
        if set(tagged) != {TAG, 'max_length', 'log', 'count'}:
            raise MalformedPlainData(f'{what}: keys {sorted(tagged)}')
        log, count = tagged['log'], tagged['count']
        length = tagged['max_length']
        arrays = [_from_plain(v, what) for v in (log, count)]
        if not (type(length) is int and length > 0 and all(
                isinstance(a, np.ndarray) and a.ndim == 1
                and len(a) == len(arrays[0]) <= length for a in arrays)):
            raise MalformedPlainData(f'{what}: HistoryBuffer fields')
        buffer = HistoryBuffer(max_length=length)
        buffer._log_history, buffer._count_history = arrays
        return buffer
    raise MalformedPlainData(f'{what}: unknown kind {kind!r:.40}')


def from_plain(obj: Any, what: str = 'a checkpoint') -> Any:
    """Undo :func:`to_plain`: tagged dicts become the HistoryBuffers,
    numpy arrays and numpy scalars they were written from.

    Containers are rebuilt only where something inside was decoded; a
    checkpoint without tags comes back as it went in.

    Raises:
        MalformedPlainData: a tagged dict with other keys, dtypes, shapes
            or data than :func:`to_plain` writes (``what`` names the
            file).
    """
    return _from_plain(obj, what)


def _from_plain(obj, what):
    if type(obj) in _DICTS:
        if TAG in obj:
            return _from_tagged(obj, what)
        items = {k: _from_plain(v, what) for k, v in obj.items()}
        if all(v is obj[k] for k, v in items.items()):
            return obj
        return type(obj)(items)
    if type(obj) in (list, tuple):
        items = [_from_plain(v, what) for v in obj]
        if all(a is b for a, b in zip(items, obj)):
            return obj
        return type(obj)(items)
    return obj
