"""Load MMEngine checkpoints with torch's safe unpickler, nothing else.

torch >= 2.6 unpickles with ``weights_only=True`` by default and mmengine
0.10.7 calls ``torch.load`` without the argument, so its own checkpoints
fail to load or resume: besides tensors they pickle a few objects that
the safe unpickler refuses. :func:`checkpoint_globals` allows exactly
those, and only while :func:`mmengine_checkpoint_loading` is active: in
the teacher loading, in :func:`load_mmengine_checkpoint` (our tools) and
in a runner's own loads when its config has ``SafeLoadHook``. Importing
``gdkd_seg`` registers nothing with torch: ``torch.load`` anywhere else in
the process stays as torch ships it.

Two more guards make the allow-list safe to use:

* ``builtins.getattr`` (which HistoryBuffer's pickles call) maps to
  :func:`history_buffer_method`, which answers only the four lookups
  MMEngine makes; the real ``getattr`` would let a file reach ``eval``.
* after unpickling, :func:`check_checkpoint` refuses any object that is
  not data (a class, a function, an object array) wherever it is
  (optimizer, schedulers, message hub, meta), and the context refuses a
  file that changed ``HistoryBuffer``'s class-wide statistics methods.

A checkpoint that needs anything else is refused with an
:class:`UnsafeCheckpointError` naming the global and the opt-in: list the
globals you trust in ``$GDKD_SAFE_GLOBALS`` (comma separated,
``module.Name``) or in a config's ``safe_globals`` list
(:func:`allow_globals`). Nothing turns the safe unpickler off.
"""
import functools
import importlib
import os
import pickle
import re
from contextlib import contextmanager
from typing import Any, Dict, Iterable, Iterator, List, Optional

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

ENV_VAR = 'GDKD_SAFE_GLOBALS'
# what HistoryBuffer registers in _set_default_statistics
STATISTICS = ('min', 'max', 'current', 'mean')
_REFUSED = 'gdkd_seg refused'  # marks our errors inside torch's message
_trusted: Dict[str, Any] = {}  # from allow_globals (configs' opt-in)


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs a global outside the allow-list, or holds an
    object that is not data."""


def history_buffer_method(obj: Any, name: str) -> Any:
    """``builtins.getattr`` for the safe unpickler: only the lookups
    MMEngine's pickles make.

    A ``HistoryBuffer`` pickles its statistics methods (a class-level
    dict) as ``getattr(HistoryBuffer, 'mean')`` etc. Any other lookup,
    e.g. ``getattr(getattr, '__self__')`` (the ``builtins`` module), is
    refused.

    Raises:
        UnsafeCheckpointError: any other lookup.
    """
    if obj is HistoryBuffer and name in STATISTICS:
        return getattr(HistoryBuffer, name)
    shown = 'getattr' if obj is history_buffer_method else f'{obj!r:.60}'
    raise UnsafeCheckpointError(
        f'{_REFUSED} getattr({shown}, {name!r:.60}); MMEngine checkpoints '
        f'only look up HistoryBuffer.{{{",".join(STATISTICS)}}}')


def checkpoint_globals() -> List:
    """The globals an MMEngine checkpoint pickles, for the safe unpickler.

    Measured on real runs under the pinned numpy (see README "Safe
    checkpoint loading"); each entry has a test with such a checkpoint
    that fails without it.
    """
    reconstruct = np.ndarray(0).__reduce__()[0]  # how numpy pickles arrays
    scalar = np.float64(0).__reduce__()[0]  # ... and numpy scalars
    return [
        HistoryBuffer,  # message_hub.log_scalars
        reconstruct,  # numpy arrays: the buffers' histories, RNG state
        np.ndarray,
        np.dtype,  # their dtypes, rebuilt by np.dtype(...) and then
        type(np.dtype(np.float64)),  # set up by the dtype's own class:
        type(np.dtype(np.int64)),  # float64 values, int64 counts,
        type(np.dtype(np.uint32)),  # uint32 numpy RNG key (RNGStateHook)
        scalar,  # numpy scalars: runtime_info.eta, mmseg's metrics
        (history_buffer_method, 'builtins.getattr'),  # see its docstring
    ]


def resolve_global(name: str) -> Any:
    """The object a pickle names ``module.attr`` (``a.b.C`` or ``a.b:C``).

    Raises:
        ValueError: the name does not resolve to an importable object.
    """
    name = name.strip()
    module, sep, attr = name.partition(':')
    if not sep:
        module, _, attr = name.rpartition('.')
    try:
        obj = importlib.import_module(module)
        for part in attr.split('.'):
            obj = getattr(obj, part)
    except (ImportError, AttributeError, ValueError) as err:
        raise ValueError(f'cannot allow {name!r} for safe loading: it is '
                         f'not an importable module.Name ({err})') from err
    return obj


def allow_globals(names: Iterable[str]) -> List[str]:
    """Trust user-named globals in gdkd_seg's checkpoint loading (not in
    ``torch.load`` elsewhere): a config's ``safe_globals``.

    Each is allowed under the exact name given (that is what the pickle
    refers to, e.g. ``posix.system`` rather than ``os.system``).

    Returns:
        The names added.
    """
    added = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        _trusted[name.replace(':', '.')] = resolve_global(name)
        added.append(name)
    return added


def _user_globals() -> Dict[str, Any]:
    """The trusted globals: :func:`allow_globals` and ``$GDKD_SAFE_GLOBALS``
    (read at each load)."""
    found = dict(_trusted)
    for name in os.environ.get(ENV_VAR, '').split(','):
        if name.strip():
            found[name.strip().replace(':', '.')] = resolve_global(name)
    return found


@contextmanager
def mmengine_checkpoint_loading(
        what: str = 'a checkpoint') -> Iterator[None]:
    """Within this block ``torch.load`` also accepts MMEngine checkpoints.

    Registers :func:`checkpoint_globals` and the trusted globals with
    torch's safe unpickler, and on exit removes exactly those it added.
    The registration is torch's, so it is process-wide while the block
    runs (keep the block to the load itself). A refusal is re-raised as
    an :class:`UnsafeCheckpointError` naming ``what``.

    Raises:
        UnsafeCheckpointError: the file needs another global, or it
            changed ``HistoryBuffer``'s class-wide statistics methods
            (they are restored first).
    """
    user = _user_globals()
    wanted = checkpoint_globals() + [(obj, name)
                                     for name, obj in user.items()]
    present = set(torch.serialization.get_safe_globals())
    added = [g for g in wanted if g not in present]
    # what HistoryBuffer.__setstate__ may leave in its class-level dict
    expected = {name: getattr(HistoryBuffer, name) for name in STATISTICS}
    expected.update(HistoryBuffer._statistics_methods)
    with explain_unsafe_load(what), \
            torch.serialization.safe_globals(added):
        try:
            yield
        finally:
            # __setstate__ adds what the file holds to that dict: undo
            # anything else before a buffer can call it
            after = HistoryBuffer._statistics_methods
            planted = {k: v for k, v in after.items()
                       if expected.get(k) is not v}
            changed = sorted(k for k, v in planted.items()
                             if v not in user.values())
            after.clear()
            after.update(expected)
            if not changed:
                after.update(planted)  # statistics the user trusts
        if changed:
            raise UnsafeCheckpointError(
                f'refused to load {what}: it sets HistoryBuffer statistics '
                f'{changed}, which MMEngine checkpoints do not hold')


# types whose values are data; anything else (a class, a function, a
# module, an object of another class) has no business in a checkpoint
_LEAVES = (type(None), bool, int, float, complex, str, bytes, bytearray,
           torch.device, torch.dtype)
_SEQUENCES = (list, tuple, set, frozenset, torch.Size)


def check_checkpoint(checkpoint: Any, what: str = 'a checkpoint') -> None:
    """Refuse a loaded checkpoint holding anything that is not data.

    Data: tensors, numpy arrays and scalars (not of object dtype),
    numbers, strings, bytes, ``None``, torch sizes/devices/dtypes, numpy
    dtypes, ``HistoryBuffer`` objects, and dicts / lists / tuples / sets
    of these; also the globals the user trusts (``$GDKD_SAFE_GLOBALS``,
    :func:`allow_globals`) and objects of those classes. This catches,
    e.g., a callable planted in the optimizer, scheduler or message-hub
    state, which MMEngine would later call.

    Raises:
        UnsafeCheckpointError: naming the first offending entry.
    """
    trusted = list(_user_globals().values())
    seen = set()
    stack = [(checkpoint, '')]
    while stack:
        obj, path = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        attrs = None
        if isinstance(obj, torch.Tensor):
            attrs = vars(obj) if hasattr(obj, '__dict__') else None
        elif isinstance(obj, (np.ndarray, np.generic)):
            if obj.dtype.hasobject:
                _refuse(what, path, 'a numpy object array')
        elif type(obj) is HistoryBuffer:
            attrs = vars(obj)
        elif isinstance(obj, dict) and type(obj).__module__ in (
                'builtins', 'collections'):
            for key, value in obj.items():
                stack.append((key, f'{path}[key {key!r:.40}]'))
                stack.append((value, f'{path}.{key}'))
            attrs = getattr(obj, '__dict__', None)  # OrderedDict metadata
        elif type(obj) in _SEQUENCES:
            stack += [(v, f'{path}[{i}]') for i, v in enumerate(obj)]
        elif not _is_leaf(obj, trusted):
            _refuse(what, path, f'a {type(obj).__qualname__} ({obj!r:.60})')
        if attrs:
            stack += [(v, f'{path}.{k}') for k, v in attrs.items()]


def _is_leaf(obj: Any, trusted: List) -> bool:
    """A value that is data, or a global (or object of one) the user
    trusts."""
    return (type(obj) in _LEAVES or isinstance(obj, np.dtype)
            or any(obj is t or type(obj) is t for t in trusted))


def _refuse(what: str, path: str, found: str) -> None:
    raise UnsafeCheckpointError(
        f'refused to load {what}: {path.lstrip(".") or "it"} is {found}, '
        'which is not data (MMEngine checkpoints hold tensors, numbers, '
        'strings, numpy arrays and HistoryBuffers)')


def load_mmengine_checkpoint(filename: str,
                             map_location: Optional[str] = 'cpu',
                             logger: Optional[str] = None,
                             what: Optional[str] = None) -> dict:
    """Load an MMEngine checkpoint (path or URL) safely, and check it.

    MMEngine's own loader (:func:`mmengine.runner.checkpoint.
    _load_checkpoint`) inside :func:`mmengine_checkpoint_loading`, then
    :func:`check_checkpoint`.

    Args:
        filename: a local path or a URL MMEngine knows.
        map_location: as :func:`torch.load`.
        logger: MMEngine's ``print_log`` target for the "Loads
            checkpoint" line (``'silent'`` for none).
        what: names the file in errors (default: ``checkpoint <path>``).

    Raises:
        UnsafeCheckpointError: see :func:`mmengine_checkpoint_loading`
            and :func:`check_checkpoint`.
    """
    what = what or f'checkpoint {filename}'
    with mmengine_checkpoint_loading(what):
        checkpoint = _load_checkpoint(filename, map_location, logger)
    check_checkpoint(checkpoint, what)
    return checkpoint


def within_allow_list(method, what: str):
    """``method`` run inside :func:`mmengine_checkpoint_loading` (what
    ``SafeLoadHook`` does to a runner's loading methods).

    Args:
        method: the callable to wrap.
        what: names the checkpoint in errors; ``{0}`` is replaced by the
            call's first argument (e.g. ``'checkpoint {0}'``).
    """

    @functools.wraps(method)
    def wrapped(*args, **kwargs):
        with mmengine_checkpoint_loading(what.format(*args)):
            return method(*args, **kwargs)

    wrapped.__gdkd_safe_load__ = True
    return wrapped


# torch words it "Unsupported global: GLOBAL a.B was not an allowed ...",
# "unsupported GLOBAL posix.system whose module posix is blocked" or
# "Can only build ... allowlisted via `add_safe_globals`, but got <class
# 'a.B'>" (an object of a class the file does not name)
_UNSUPPORTED = re.compile(r"nsupported (?:global: )?GLOBAL ([\w.]+)|"
                          r"add_safe_globals`, but got <class '([\w.]+)'>")


@contextmanager
def explain_unsafe_load(what: str = 'a checkpoint') -> Iterator[None]:
    """Re-raise torch's refusal to unpickle a global as an
    :class:`UnsafeCheckpointError` naming the global and the opt-in.

    Args:
        what: the checkpoint(s) being loaded, for the message.
    """
    try:
        yield
    except pickle.UnpicklingError as err:
        text = str(err)
        if isinstance(err, UnsafeCheckpointError) or (
                'Weights only load failed' not in text):
            raise
        if _REFUSED in text:
            found = text[text.index(_REFUSED) + len(_REFUSED):]
            raise UnsafeCheckpointError(
                f'refused to load {what}: it calls'
                f'{found.splitlines()[0]}; do not use this file.') from err
        found = _UNSUPPORTED.search(text)
        name = (found.group(1) or found.group(2)
                if found else '<see the error below>')
        if 'is blocked' in text:
            raise UnsafeCheckpointError(
                f'refused to load {what}: it pickles {name}, from a module '
                'torch never unpickles (it can run commands); do not use '
                'this file.') from err
        raise UnsafeCheckpointError(
            f'refused to load {what}: it contains a pickled {name}, which '
            'is not among what MMEngine checkpoints hold (tensors, '
            'HistoryBuffer, numpy arrays/scalars), and unpickling it could '
            'run arbitrary code. If you trust the file, allow exactly that '
            f'global: `{ENV_VAR}={name}` in the environment, or '
            f"`safe_globals = ['{name}']` in the config (comma-separate "
            'several). Better: re-save the weights as a plain state_dict '
            'of tensors.') from err
