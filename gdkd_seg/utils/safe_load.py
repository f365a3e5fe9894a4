"""Let MMEngine checkpoints load under ``torch.load(weights_only=True)``.

torch >= 2.6 unpickles with ``weights_only=True`` by default and mmengine
0.10.7 calls ``torch.load`` without the argument, so its own checkpoints
(which hold a ``HistoryBuffer`` and numpy arrays in ``message_hub``) fail
to load or resume. Instead of turning safe loading off, we allow-list
exactly the globals such checkpoints contain.
"""
import builtins
from typing import List

import numpy as np
import torch


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


def allow_mmengine_checkpoints() -> None:
    """Register :func:`checkpoint_globals` with torch's safe unpickler."""
    if hasattr(torch.serialization, 'add_safe_globals'):
        torch.serialization.add_safe_globals(checkpoint_globals())
