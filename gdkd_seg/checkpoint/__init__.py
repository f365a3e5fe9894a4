"""The save side of checkpoints: plain data (loads with a plain
``torch.load``), atomic writes, and the newest complete checkpoint to
resume from. The load side is :mod:`gdkd_seg.utils.safe_load`."""
from .atomic_io import (atomic_path, atomic_torch_save, atomic_write_text,
                        remove_stale_temporaries)
from .latest import newest_complete_checkpoint
from .plain_data import MalformedPlainData, from_plain, to_plain

__all__ = [
    'atomic_path', 'atomic_torch_save', 'atomic_write_text',
    'remove_stale_temporaries', 'newest_complete_checkpoint',
    'MalformedPlainData', 'from_plain', 'to_plain'
]
