"""Let MMEngine checkpoints load under ``torch.load(weights_only=True)``.

torch >= 2.6 unpickles with ``weights_only=True`` by default and mmengine
0.10.7 calls ``torch.load`` without the argument, so its own checkpoints
(which hold a ``HistoryBuffer`` and numpy arrays in ``message_hub``) fail
to load or resume. Instead of turning safe loading off, we allow-list
exactly the globals such checkpoints contain.

A checkpoint that needs anything else (teacher, ``load_from`` or
``--resume``) is refused; :func:`explain_unsafe_load` turns torch's error
into one that names the global and the opt-in: list the globals you trust
in the environment variable ``GDKD_SAFE_GLOBALS`` (comma separated,
``module.Name``) or in a config's ``safe_globals`` list. Nothing turns the
safe unpickler off as a whole.
"""
import builtins
import importlib
import os
import pickle
import re
from contextlib import contextmanager
from typing import Iterable, Iterator, List

import numpy as np
import torch

ENV_VAR = 'GDKD_SAFE_GLOBALS'


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs a global outside the allow-list."""


def checkpoint_globals() -> List:
    """The globals an MMEngine checkpoint needs, for the safe unpickler."""
    from mmengine.logging.history_buffer import HistoryBuffer
    multiarray = np._core.multiarray
    dtypes = [
        getattr(np.dtypes, name) for name in dir(np.dtypes)
        if name.endswith('DType') and name not in ('ObjectDType',
                                                   'VoidDType')
    ]
    allowed = [
        HistoryBuffer, np.ndarray, np.dtype, multiarray._reconstruct,
        multiarray.scalar, builtins.getattr, *dtypes
    ]
    # checkpoints written under numpy 1.x name ``numpy.core.multiarray``
    allowed += [(multiarray._reconstruct, 'numpy.core.multiarray.'
                 '_reconstruct'),
                (multiarray.scalar, 'numpy.core.multiarray.scalar')]
    return allowed


def resolve_global(name: str):
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
    """Add user-named globals to the safe unpickler's allow-list.

    Each is registered under the exact name given (that is what the
    pickle refers to, e.g. ``posix.system`` rather than ``os.system``).

    Returns:
        The names added.
    """
    added = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        obj = resolve_global(name)
        torch.serialization.add_safe_globals([(obj, name.replace(':', '.'))])
        added.append(name)
    return added


def allow_mmengine_checkpoints() -> None:
    """Register :func:`checkpoint_globals` with torch's safe unpickler, and
    the globals the user opted in to with ``$GDKD_SAFE_GLOBALS``."""
    if hasattr(torch.serialization, 'add_safe_globals'):
        torch.serialization.add_safe_globals(checkpoint_globals())
        allow_globals(os.environ.get(ENV_VAR, '').split(','))


# torch words it "Unsupported global: GLOBAL a.B was not an allowed ..."
# or "unsupported GLOBAL posix.system whose module posix is blocked"
_UNSUPPORTED = re.compile(r'nsupported (?:global: )?GLOBAL ([\w.]+)')


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
        found = _UNSUPPORTED.search(text)
        name = found.group(1) if found else '<see the error below>'
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
