"""Load MMEngine checkpoints with torch's safe unpickler, nothing else.

Checkpoints written by our runs (``SafeSaveHook``) are plain data and
need no allow-list. Checkpoints written by plain MMSeg / MMPretrain
runs, and ours from before, pickle a few objects that torch's safe
unpickler refuses (MMEngine's ``HistoryBuffer``, numpy arrays and
scalars). :func:`checkpoint_globals` allows exactly those, and only
while :func:`mmengine_checkpoint_loading` is active: in the teacher
loading, in :func:`load_mmengine_checkpoint` (our tools and analysis)
and in a runner's own loads when its config has ``SafeLoadHook``.
Importing ``gdkd_seg`` registers nothing with torch: ``torch.load``
anywhere else in the process stays as torch ships it.

Within the block, every checkpoint MMEngine's loaders return (local
files, URLs, ``open-mmlab://``...: ``load_from``, ``resume``,
``init_cfg=dict(type='Pretrained')``, the teacher, the tools) is
finished by :func:`finish_loaded_checkpoint` before anyone uses it:

* plain-data forms are rebuilt (:func:`gdkd_seg.checkpoint.plain_data.
  from_plain`);
* ``meta['config']`` is dropped with a warning: MMEngine's resume passes
  it to ``Config.fromstring``, which executes it; no string from a
  checkpoint is evaluated (``meta['cfg']``, which MMEngine 0.10 writes,
  is kept as text; the message hub's copy is dropped so that a resumed
  run records its own config);
* :func:`check_checkpoint` refuses any object that is not data (a class,
  a function, an object array, a tensor carrying hooks) wherever it is.

More guards:

* ``builtins.getattr`` (which HistoryBuffer's pickles call) maps to
  :func:`history_buffer_method`, which answers only the four lookups
  MMEngine makes; the real ``getattr`` would let a file reach ``eval``.
* the context refuses a file that changed ``HistoryBuffer``'s class-wide
  statistics methods.
* ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` (which makes torch unpickle
  anything when ``torch.load`` is called without ``weights_only``, as
  MMEngine calls it) is ignored inside the block: the safe unpickler is
  used regardless, with a warning.

A checkpoint that needs anything else is refused with an
:class:`UnsafeCheckpointError`. The opt-in (``$GDKD_SAFE_GLOBALS``,
comma separated ``module.Name``, or a config's ``safe_globals`` list,
:func:`allow_globals`) accepts only plain data classes
(:func:`why_not_data_class`): never a function, a method, a builtin or a
class whose own constructor, ``__setstate__`` or metaclass could run
code with the file's arguments. Nothing turns the safe unpickler off.
"""
import functools
import importlib
import logging
import os
import pickle
import re
import sys
from collections import Counter, OrderedDict
from contextlib import contextmanager
from typing import Any, Dict, Iterable, Iterator, List, Optional

import numpy as np
import torch
from mmengine.logging import print_log
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

from gdkd_seg.checkpoint.plain_data import MalformedPlainData, from_plain

ENV_VAR = 'GDKD_SAFE_GLOBALS'
# torch.load(weights_only unset) unpickles anything when this is set
FORCE_UNSAFE = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'
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

    Measured on real runs under the pinned numpy (see docs "Safe
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
        type(np.dtype(np.float32)),  # float64 values, save_best's float32
        type(np.dtype(np.int64)),  # score (mmseg's mIoU), int64 counts,
        type(np.dtype(np.uint32)),  # uint32 numpy RNG key (RNGStateHook)
        scalar,  # numpy scalars: runtime_info.eta, mmseg's metrics
        (history_buffer_method, 'builtins.getattr'),  # see its docstring
    ]


def resolve_global(name: str, import_modules: bool = True) -> Any:
    """The object a pickle names ``module.attr`` (``a.b.C`` or ``a.b:C``).

    Args:
        name: the name.
        import_modules: import the module if needed; with ``False`` only
            modules already imported are looked in (for names that come
            from a file: importing a module runs its code).

    Raises:
        ValueError: the name does not resolve to an object.
    """
    name = name.strip()
    module, sep, attr = name.partition(':')
    if not sep:
        module, _, attr = name.rpartition('.')
    try:
        if import_modules:
            obj = importlib.import_module(module)
        elif module in sys.modules:
            obj = sys.modules[module]
        else:
            raise ImportError(f'{module} is not imported')
        for part in attr.split('.'):
            obj = getattr(obj, part)
    except (ImportError, AttributeError, ValueError) as err:
        raise ValueError(f'cannot allow {name!r} for safe loading: it is '
                         f'not an importable module.Name ({err})') from err
    return obj


# what the safe unpickler may run on an allowed class: REDUCE calls it
# (metaclass __call__, __new__, __init__), BUILD calls __setstate__ or
# sets attributes (__setattr__), and __del__ runs when it is freed
_CONSTRUCTION = ('__new__', '__init__', '__setstate__', '__setattr__',
                 '__del__', '__post_init__', '__reduce__', '__reduce_ex__')


def _generated_dataclass_init(klass: type) -> bool:
    init = vars(klass).get('__init__')
    code = getattr(init, '__code__', None)
    return ('__dataclass_fields__' in vars(klass) and code is not None
            and code.co_filename == '<string>')  # dataclasses' exec


def why_not_data_class(obj: Any) -> Optional[str]:
    """``None`` when ``obj`` is a plain data class, else why it is not.

    A plain data class is a class (metaclass ``type``) that, in itself
    and every base but ``object``, defines none of ``__new__``,
    ``__init__`` (except the one ``@dataclass`` generates),
    ``__post_init__``, ``__setstate__``, ``__setattr__``, ``__del__``,
    ``__reduce__``: unpickling an object of it only stores the file's
    data. A function, a method or a class with a constructor of its own
    (``subprocess.Popen``) would run that code with the file's
    arguments.
    """
    if not isinstance(obj, type):
        kind = type(obj).__name__
        return (f'it is a {kind}, not a class: the file can call it with '
                'any arguments')
    if type(obj) is not type:
        return (f'its metaclass {type(obj).__qualname__} may run code when '
                'the file calls the class')
    for klass in obj.__mro__[:-1]:
        for name in _CONSTRUCTION:
            if name in vars(klass) and not (
                    name == '__init__' and _generated_dataclass_init(klass)):
                return (f'{klass.__module__}.{klass.__qualname__} defines '
                        f'{name}, which unpickling would run with the '
                        "file's arguments")
    return None


def _data_class(name: str, obj: Any) -> Any:
    why = why_not_data_class(obj)
    if why:
        raise UnsafeCheckpointError(
            f'refused to allow {name!r} for safe loading: {why}. Only '
            'plain data classes can be allowed (no __init__, __new__, '
            '__setstate__ of their own; dataclasses are fine).')
    return obj


def _opted_in(name: str) -> Any:
    """The plain data class ``name`` names, or ``None`` if it is in
    :func:`checkpoint_globals` already."""
    obj = resolve_global(name)
    if any(obj is entry for entry in checkpoint_globals()):
        return None
    return _data_class(name, obj)


def allow_globals(names: Iterable[str]) -> List[str]:
    """Trust user-named plain data classes in gdkd_seg's checkpoint
    loading (not in ``torch.load`` elsewhere): a config's
    ``safe_globals``.

    Each is allowed under the exact name given (that is what the pickle
    refers to). A name of :func:`checkpoint_globals` is already allowed
    and is skipped (configs written for loaders without it, e.g.
    ``numpy.dtypes.Float32DType``, keep working).

    Returns:
        The names added.

    Raises:
        ValueError: a name that does not resolve.
        UnsafeCheckpointError: a name that is not a plain data class
            (:func:`why_not_data_class`).
    """
    added = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        obj = _opted_in(name)
        if obj is None:
            continue
        _trusted[name.replace(':', '.')] = obj
        added.append(name)
    return added


def _user_globals() -> Dict[str, Any]:
    """The trusted globals: :func:`allow_globals` and ``$GDKD_SAFE_GLOBALS``
    (read at each load, held to the same rule)."""
    found = dict(_trusted)
    for name in os.environ.get(ENV_VAR, '').split(','):
        obj = _opted_in(name.strip()) if name.strip() else None
        if obj is not None:
            found[name.strip().replace(':', '.')] = obj
    return found


@contextmanager
def mmengine_checkpoint_loading(
        what: str = 'a checkpoint') -> Iterator[None]:
    """Within this block ``torch.load`` also accepts MMEngine checkpoints,
    and MMEngine's loaders return finished, checked checkpoints.

    Registers :func:`checkpoint_globals` and the trusted globals with
    torch's safe unpickler, makes each of MMEngine's checkpoint loaders
    (``CheckpointLoader``'s schemes) pass what it loads through
    :func:`finish_loaded_checkpoint`, and sets
    ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` aside; on exit it undoes exactly
    what it did. These are process-wide while the block runs (keep the
    block to the load itself): another thread loading at that moment
    gets the same, stricter treatment. A refusal is re-raised as an
    :class:`UnsafeCheckpointError` naming ``what``.

    Raises:
        UnsafeCheckpointError: the file needs another global, holds
            something that is not data, or changed ``HistoryBuffer``'s
            class-wide statistics methods (they are restored first).
    """
    user = _user_globals()
    wanted = checkpoint_globals() + [(obj, name)
                                     for name, obj in user.items()]
    present = set(torch.serialization.get_safe_globals())
    added = [g for g in wanted if g not in present]
    # what HistoryBuffer.__setstate__ may leave in its class-level dict
    expected = {name: getattr(HistoryBuffer, name) for name in STATISTICS}
    expected.update(HistoryBuffer._statistics_methods)
    with explain_unsafe_load(what), _safe_unpickler_forced(), \
            _finishing_loaders(what), \
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


@contextmanager
def _safe_unpickler_forced() -> Iterator[None]:
    """``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` set aside: torch honours it
    only where ``weights_only`` is not passed, which is how MMEngine
    calls ``torch.load``."""
    value = os.environ.pop(FORCE_UNSAFE, None)
    if value is not None:
        print_log(f'{FORCE_UNSAFE}={value} is ignored while gdkd_seg loads '
                  'a checkpoint: it is read with the safe unpickler',
                  logger='current', level=logging.WARNING)
    try:
        yield
    finally:
        if value is not None:
            os.environ[FORCE_UNSAFE] = value


@contextmanager
def _finishing_loaders(what: str) -> Iterator[None]:
    """Each of MMEngine's checkpoint loaders, finishing what it returns
    with :func:`finish_loaded_checkpoint` (a nested block keeps the
    outer wrapping)."""
    schemes = CheckpointLoader._schemes
    wrapped = {}
    for prefix, loader in list(schemes.items()):
        if not getattr(loader, '__gdkd_finishing__', False):
            wrapped[prefix] = loader
            schemes[prefix] = _finishing(loader, what)
    try:
        yield
    finally:
        current = CheckpointLoader._schemes  # register_scheme rebuilds it
        for prefix, loader in wrapped.items():
            if getattr(current.get(prefix), '__gdkd_finishing__', False):
                current[prefix] = loader


def _finishing(loader, what: str):

    @functools.wraps(loader)  # MMEngine logs the loader's __name__
    def load(filename, map_location):
        return finish_loaded_checkpoint(loader(filename, map_location),
                                        what)

    load.__gdkd_finishing__ = True
    return load


def finish_loaded_checkpoint(checkpoint: Any,
                             what: str = 'a checkpoint') -> Any:
    """What every checkpoint goes through after unpickling (see the
    module docstring): plain-data forms rebuilt, ``meta['config']`` and
    the message hub's config text dropped, :func:`check_checkpoint`.

    Raises:
        UnsafeCheckpointError: a malformed plain-data form, or anything
            that is not data.
    """
    try:
        checkpoint = from_plain(checkpoint, what)
    except MalformedPlainData as err:
        raise UnsafeCheckpointError(
            f'refused to load {what}: malformed plain data ({err})') from err
    if isinstance(checkpoint, dict):
        meta = checkpoint.get('meta')
        if isinstance(meta, dict) and 'config' in meta:
            meta.pop('config')
            print_log(
                f"dropped meta['config'] of {what}: MMEngine's resume would "
                'execute it as Python (Config.fromstring); gdkd_seg never '
                'evaluates checkpoint content', logger='current',
                level=logging.WARNING)
        info = checkpoint.get('message_hub', {})
        info = info.get('runtime_info') if isinstance(info, dict) else None
        if isinstance(info, dict):
            info.pop('cfg', None)  # the resumed run records its own
    check_checkpoint(checkpoint, what)
    return checkpoint


# types whose values are data; anything else (a class, a function, a
# module, an object of another class) has no business in a checkpoint
_LEAVES = (type(None), bool, int, float, complex, str, bytes, bytearray,
           torch.device, torch.dtype)
_SEQUENCES = (list, tuple, set, frozenset, torch.Size)


def check_checkpoint(checkpoint: Any, what: str = 'a checkpoint') -> None:
    """Refuse a loaded checkpoint holding anything that is not data.

    Data: tensors (without hooks), numpy arrays and scalars (not of
    object dtype), numbers, strings, bytes, ``None``, torch
    sizes/devices/dtypes, numpy dtypes, ``HistoryBuffer`` objects, and
    dicts / lists / tuples / sets of these; also the classes the user
    trusts (``$GDKD_SAFE_GLOBALS``, :func:`allow_globals`) and objects of
    those classes, whose attributes are checked in turn. This catches,
    e.g., a callable planted in the optimizer, scheduler or message-hub
    state, which MMEngine would later call, or in a tensor's C-level
    hook slots (``_backward_hooks``, ``_post_accumulate_grad_hooks``,
    which ``_rebuild_from_type_v2`` and ``_rebuild_tensor_v2`` let a file
    set), which autograd would call.

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
            attrs = dict(_tensor_slots(obj, what, path))
            attrs.update(vars(obj) if hasattr(obj, '__dict__') else {})
        elif isinstance(obj, (np.ndarray, np.generic)):
            if obj.dtype.hasobject:
                _refuse(what, path, 'a numpy object array')
        elif type(obj) is HistoryBuffer:
            attrs = vars(obj)
        elif type(obj) in (dict, OrderedDict, Counter):  # MultiStepLR's
            for key, value in obj.items():
                stack.append((key, f'{path}[key {key!r:.40}]'))
                stack.append((value, f'{path}.{key}'))
            attrs = getattr(obj, '__dict__', None)  # OrderedDict metadata
        elif type(obj) in _SEQUENCES:
            stack += [(v, f'{path}[{i}]') for i, v in enumerate(obj)]
        elif any(type(obj) is t for t in trusted):
            attrs = _instance_state(obj)
        elif not (type(obj) in _LEAVES or isinstance(obj, np.dtype)
                  or any(obj is t for t in trusted)):
            _refuse(what, path, f'a {type(obj).__qualname__} ({obj!r:.60})')
        if attrs:
            stack += [(v, f'{path}.{k}') for k, v in attrs.items()]


# a tensor's state outside its __dict__ that a pickle can set
_HOOK_SLOTS = ('_backward_hooks', '_post_accumulate_grad_hooks')


def _tensor_slots(tensor: torch.Tensor, what: str, path: str):
    """The tensor's ``grad`` (checked as data); refuses hooks."""
    for slot in _HOOK_SLOTS:
        hooks = getattr(tensor, slot, None)
        if hooks:  # None or an empty OrderedDict when torch saved it
            _refuse(what, f'{path}.{slot}',
                    f'a tensor hook table ({hooks!r:.60})')
    if tensor.is_leaf and tensor.grad is not None:
        yield 'grad', tensor.grad


def _instance_state(obj: Any) -> Dict[str, Any]:
    """An object's ``__dict__`` and ``__slots__`` values."""
    state = dict(getattr(obj, '__dict__', None) or {})
    for klass in type(obj).__mro__:
        slots = vars(klass).get('__slots__', ())
        for slot in (slots, ) if isinstance(slots, str) else slots:
            if slot not in ('__dict__', '__weakref__') and hasattr(obj,
                                                                   slot):
                state[slot] = getattr(obj, slot)
    return state


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
    _load_checkpoint`) inside :func:`mmengine_checkpoint_loading`, which
    finishes what it loads (:func:`finish_loaded_checkpoint`: plain-data
    forms rebuilt, ``meta['config']`` dropped, :func:`check_checkpoint`).

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
        return _load_checkpoint(filename, map_location, logger)


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
                'torch never unpickles (sys, os, posix, nt: it can run '
                'commands); do not use this file.') from err
        raise UnsafeCheckpointError(
            f'refused to load {what}: it contains a pickled {name}, which '
            'is not among what MMEngine checkpoints hold (tensors, '
            'HistoryBuffer, numpy arrays/scalars), and unpickling it could '
            f'run arbitrary code. {_opt_in_advice(name)} Better: re-save '
            'the weights as a plain state_dict of tensors.') from err


def _opt_in_advice(name: str) -> str:
    """The opt-in, offered only for a plain data class (looked up in the
    modules already imported: importing one a file names runs its
    code)."""
    try:
        why = why_not_data_class(resolve_global(name, import_modules=False))
    except ValueError:
        return (f'gdkd_seg cannot tell what {name} is without importing '
                'its module, so it offers no opt-in for it; only plain '
                'data classes can be allowed (docs/en/advanced_guides/'
                'reliability.md, "Safe checkpoint loading").')
    if why:
        return f'{name} cannot be allowed: {why}.'
    return ('If you trust the file, allow exactly that class: '
            f'`{ENV_VAR}={name}` in the environment, or '
            f"`safe_globals = ['{name}']` in the config (comma-separate "
            'several).')
