"""Write files so that a kill at any moment leaves either the old file or
the complete new one, never a truncated one.

The new content goes to a temporary file in the same folder (same file
system, so the rename is atomic), is flushed and fsynced, then renamed
over the target; the folder is fsynced so that the rename itself
survives a power loss. Temporary names start with ``.`` and end with
``.tmp-<host>-<pid>``, so no checkpoint pattern (``iter_*.pth``) matches
them and :func:`remove_stale_temporaries` can tell a dead writer's from
a live one's.
"""
import os
import os.path as osp
import re
import socket
from contextlib import contextmanager
from typing import Callable, Iterator, List

_HOST = re.sub(r'[^\w.-]', '_', socket.gethostname())
_TEMP = re.compile(r'^\.(?P<name>.+)\.tmp-(?P<host>[\w.-]+)-(?P<pid>\d+)$')


def temporary_name(path: str) -> str:
    """Where :func:`atomic_path` writes ``path`` before the rename."""
    folder, name = osp.split(path)
    return osp.join(folder, f'.{name}.tmp-{_HOST}-{os.getpid()}')


def fsync_path(path: str) -> None:
    """fsync a file or a folder by name (its data, or its entries)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(temporary: str, path: str) -> None:
    """fsync ``temporary``, rename it to ``path``, fsync the folder."""
    fsync_path(temporary)
    os.replace(temporary, path)
    fsync_path(osp.dirname(osp.abspath(path)))


@contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary path to write ``path``'s new content to.

    On a normal exit the temporary file becomes ``path`` (see the module
    docstring); on an exception it is removed and ``path`` is untouched.
    """
    temporary = temporary_name(path)
    try:
        yield temporary
        replace_durably(temporary, path)
    except BaseException:
        if osp.lexists(temporary):
            os.remove(temporary)
        raise


def atomic_write(path: str, write: Callable[[object], None],
                 mode: str = 'wb') -> None:
    """``write(f)`` to a file opened with ``mode``, then put it at
    ``path`` atomically and durably."""
    with atomic_path(path) as temporary:
        with open(temporary, mode) as f:
            write(f)
            f.flush()


def atomic_write_text(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` atomically and durably."""
    atomic_write(path, lambda f: f.write(text), mode='w')


def atomic_torch_save(obj, path: str) -> None:
    """``torch.save(obj, path)``, atomically and durably."""
    import torch
    atomic_write(path, lambda f: torch.save(obj, f))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_stale_temporaries(folder: str) -> List[str]:
    """Remove this host's temporary files whose writer has died (a run
    killed while saving).

    Returns:
        The removed paths.
    """
    removed = []
    if not osp.isdir(folder):
        return removed
    for name in sorted(os.listdir(folder)):
        found = _TEMP.match(name)
        if (found and found['host'] == _HOST
                and int(found['pid']) != os.getpid()
                and not _alive(int(found['pid']))):
            path = osp.join(folder, name)
            if osp.isfile(path):
                os.remove(path)
                removed.append(path)
    return removed
