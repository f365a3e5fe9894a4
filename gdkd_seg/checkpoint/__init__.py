"""Checkpoints.

The load side, :mod:`.safe_load`: torch's weights-only unpickler plus the
smallest allow-list MMEngine checkpoints need. The save side: plain data
(loads with a plain ``torch.load``), atomic writes, and the newest
complete checkpoint to resume from.
"""
from .atomic_io import (atomic_path, atomic_torch_save, atomic_write_text,
                        remove_stale_temporaries)
from .latest import newest_complete_checkpoint
from .plain_data import MalformedPlainData, from_plain, to_plain
from .safe_load import (UnsafeCheckpointError, check_checkpoint,
                        checkpoint_globals, load_mmengine_checkpoint,
                        mmengine_checkpoint_loading)

__all__ = [
    'atomic_path', 'atomic_torch_save', 'atomic_write_text',
    'remove_stale_temporaries', 'newest_complete_checkpoint',
    'MalformedPlainData', 'from_plain', 'to_plain',
    'UnsafeCheckpointError', 'check_checkpoint', 'checkpoint_globals',
    'load_mmengine_checkpoint', 'mmengine_checkpoint_loading'
]
