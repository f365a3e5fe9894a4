"""The global batch a config was tuned for, and a warning when a run's
differs (the learning rate then no longer matches)."""
import os.path as osp
import re
from typing import Optional

from mmengine.config import Config

# MMSeg/MMPretrain names: `..._4xb2-80k_...` = 4 GPUs x 2 images
_NXB = re.compile(r'(\d+)xb(\d+)')


def tuned_batch_size(cfg: Config) -> Optional[int]:
    """The global batch ``cfg`` was tuned for, or ``None`` if unknown.

    ``auto_scale_lr.base_batch_size`` if the config sets it, else the
    first ``NxbM`` in the config's file name or (breadth first) in the
    names of its ``_base_`` files, which is where our distillation
    configs inherit MMSeg's schedule from.
    """
    base = cfg.get('auto_scale_lr', {}).get('base_batch_size')
    if base:
        return int(base)
    queue = [cfg.filename] if cfg.filename else []
    while queue:
        name = queue.pop(0)
        found = _NXB.search(osp.basename(name))
        if found:
            return int(found.group(1)) * int(found.group(2))
        if '::' in name or not osp.isfile(name):
            continue
        queue += [
            b if '::' in b else osp.join(osp.dirname(name), b)
            for b in Config._get_base_files(name)
        ]
    return None


def check_batch_size(cfg: Config, world_size: int) -> Optional[str]:
    """A warning when ``world_size`` x per-GPU batch differs from
    :func:`tuned_batch_size` (``None`` when it matches or is unknown)."""
    tuned = tuned_batch_size(cfg)
    per_gpu = cfg.train_dataloader.batch_size
    if tuned is None or world_size * per_gpu == tuned:
        return None
    scaled = cfg.get('auto_scale_lr', {}).get('enable', False)
    advice = ('--auto-scale-lr is on: the LR is scaled linearly'
              if scaled else 'scale the LR (--auto-scale-lr) or the '
              'schedule, or expect other results')
    return (f'global batch {world_size} GPU(s) x {per_gpu} = '
            f'{world_size * per_gpu} differs from the {tuned} this config '
            f'was tuned for; {advice}')
