"""Which checkpoint ``--resume`` (without a file) should continue from."""
import os
import os.path as osp
import re
import zipfile
from typing import Optional, Sequence


def _step(name: str, templates: Sequence[str]) -> Optional[int]:
    for template in templates:
        if '{}' not in template:  # one file, rewritten at each save
            continue
        pattern = re.escape(template).replace(r'\{\}', r'(\d+)')
        found = re.fullmatch(pattern, name)
        if found:
            return int(found.group(1))
    return None


def newest_complete_checkpoint(
        work_dir: str,
        templates: Sequence[str] = ('iter_{}.pth', 'epoch_{}.pth')
) -> Optional[str]:
    """The checkpoint a resume should start from, or ``None``.

    Candidates: the file ``<work_dir>/last_checkpoint`` names (MMEngine's
    choice) and the numbered checkpoints (``templates``) in its folder
    and in ``work_dir``. A numbered file counts only if it is a complete
    zip archive (torch's format; a file cut short lacks the archive's
    directory, which comes last). The highest step wins; the file
    ``last_checkpoint`` names is kept when nothing numbered beats it (an
    unnumbered one always is, unless it is cut short).

    Why not just ``last_checkpoint``: a run killed after a checkpoint
    was renamed into place but before ``last_checkpoint`` was rewritten
    still points at the previous one; an emptied or stale
    ``last_checkpoint`` points at nothing.
    """
    named = None
    marker = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(marker):
        with open(marker) as f:
            named = f.read().strip() or None
    folders = {osp.abspath(work_dir)}
    if named:
        folders.add(osp.dirname(osp.abspath(named)))
    best, best_step = None, -1
    if named and osp.isfile(named):
        # MMEngine's choice stands unless it is cut short (then only if
        # nothing else is there, for MMEngine to report)
        best = named
        step = _step(osp.basename(named), templates)
        if not zipfile.is_zipfile(named):
            best_step = -1
        else:
            best_step = float('inf') if step is None else step
    for folder in sorted(folders):
        if not osp.isdir(folder):
            continue
        for name in os.listdir(folder):
            step = _step(name, templates)
            path = osp.join(folder, name)
            if (step is not None and step > best_step
                    and zipfile.is_zipfile(path)):
                best, best_step = path, step
    return best
