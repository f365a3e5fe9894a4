"""Distributed training without a GPU: torchrun + gloo on CPUs.

MMEngine's launcher assumes CUDA for ``--launcher pytorch`` (it calls
``torch.cuda.set_device`` and wraps the model with ``device_ids=[rank]``)
and PyTorch's SyncBN runs on GPUs only. Without a GPU we start the gloo
process group ourselves (MMEngine then skips its own start), wrap with
``device_ids=None`` and use per-process BN.
"""
from typing import Any, Optional

import torch
import torch.distributed as dist
from mmengine.config import Config

SYNC_BN = ('SyncBN', 'MMSyncBN', 'SyncBatchNorm')


def _replace_sync_bn(node: Any) -> int:
    """Turn every ``norm_cfg`` of a SyncBN type into BN, in place."""
    count = 0
    if isinstance(node, dict):
        if node.get('type') in SYNC_BN:
            node['type'] = 'BN'
            count += 1
        for value in node.values():
            count += _replace_sync_bn(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            count += _replace_sync_bn(value)
    return count


def setup_cpu_distributed(cfg: Config) -> Optional[str]:
    """Prepare ``cfg`` for a CPU run under ``--launcher pytorch``.

    Does nothing (returns ``None``) with a GPU or without that launcher.
    Otherwise starts the gloo process group from torchrun's environment,
    sets ``model_wrapper_cfg.device_ids=None`` and replaces SyncBN by BN
    in the student (the frozen teacher's BN is in eval mode, where SyncBN
    does not sync).

    Returns:
        A note for the run's log, saying what was changed.
    """
    if cfg.get('launcher', 'none') != 'pytorch' or (
            torch.cuda.is_available()):
        return None
    if not dist.is_initialized():
        timeout = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('timeout')
        kwargs = {}
        if timeout is not None:
            from datetime import timedelta
            kwargs['timeout'] = timedelta(seconds=timeout)
        dist.init_process_group(backend='gloo', **kwargs)
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False)
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    replaced = _replace_sync_bn(cfg.model)
    note = ('no GPU: distributed run on CPUs with the gloo backend '
            f'(world size {dist.get_world_size()})')
    if replaced:
        note += (f'; {replaced} SyncBN config(s) replaced by BN, i.e. '
                 'batch statistics per process (PyTorch SyncBN needs GPUs)')
    return note
