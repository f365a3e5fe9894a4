"""Distributed training without a GPU: torchrun or Slurm + gloo on CPUs.

MMEngine's launchers assume CUDA for ``--launcher pytorch`` and
``--launcher slurm`` (they call ``torch.cuda.set_device`` and wrap the
model with ``device_ids=[rank]``) and PyTorch's SyncBN runs on GPUs only.
Without a GPU we start the gloo process group ourselves from the
launcher's environment (MMEngine then skips its own start), wrap with
``device_ids=None`` and use per-process BN. ``GDKDRunner`` does this
before MMEngine's runner sets up its environment.
"""
import os
import subprocess
from datetime import timedelta
from typing import Any, Optional

import torch
import torch.distributed as dist
from mmengine.config import Config

SYNC_BN = ('SyncBN', 'MMSyncBN', 'SyncBatchNorm')
CPU_LAUNCHERS = ('pytorch', 'slurm')


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


def slurm_env_to_torch(port: Optional[int] = None) -> None:
    """Set torch's ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
    ``MASTER_ADDR`` and ``MASTER_PORT`` from Slurm's variables, as
    MMEngine's slurm launcher does (minus its CUDA device selection).

    ``SLURM_PROCID`` is the rank, ``SLURM_NTASKS`` the world size,
    ``SLURM_LOCALID`` the rank on the node; the master is the first host
    of ``SLURM_NODELIST`` (``scontrol show hostname``) unless
    ``MASTER_ADDR`` is set; the port is ``port``, else ``MASTER_PORT``,
    else 29500.
    """
    env = os.environ
    if port is not None:
        env['MASTER_PORT'] = str(port)
    env.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in env:
        nodes = env['SLURM_NODELIST']
        env['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {nodes} | head -n1').strip()
    env['WORLD_SIZE'] = env['SLURM_NTASKS']
    env['RANK'] = env['SLURM_PROCID']
    env['LOCAL_RANK'] = env.get('SLURM_LOCALID', '0')


def setup_cpu_distributed(cfg: Config) -> Optional[str]:
    """Prepare ``cfg`` for a CPU run under ``--launcher pytorch|slurm``.

    Does nothing (returns ``None``) with a GPU or without one of those
    launchers. Otherwise starts the gloo process group from torchrun's
    (or Slurm's) environment, sets ``model_wrapper_cfg.device_ids=None``
    and replaces SyncBN by BN in the model config (the frozen teacher's BN
    is in eval mode, where SyncBN does not sync).

    Returns:
        A note for the run's log, saying what was changed.
    """
    launcher = cfg.get('launcher', 'none')
    if launcher not in CPU_LAUNCHERS or torch.cuda.is_available():
        return None
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    if not dist.is_initialized():
        if launcher == 'slurm':
            slurm_env_to_torch(dist_cfg.get('port'))
        kwargs = {}
        if dist_cfg.get('timeout') is not None:
            kwargs['timeout'] = timedelta(seconds=dist_cfg['timeout'])
        dist.init_process_group(backend='gloo', **kwargs)
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False)
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    replaced = _replace_sync_bn(cfg.model)
    note = (f'no GPU: distributed run ({launcher} launcher) on CPUs with '
            f'the gloo backend (world size {dist.get_world_size()})')
    if replaced:
        note += (f'; {replaced} SyncBN config(s) replaced by BN, i.e. '
                 'batch statistics per process (PyTorch SyncBN needs GPUs)')
    return note
