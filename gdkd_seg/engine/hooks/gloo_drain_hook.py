"""End a CPU (gloo) distributed run so that its process exits cleanly.

Why: a gloo collective is executed by one of the process group's worker
threads, which keeps the finished work (and its tensors) until it has
re-taken the group's queue lock. Tensors made in Python (those of
``broadcast_object_list``, which MMEngine uses to share the metrics at
the end of every validation) then hold their Python objects, so freeing
them needs the GIL. When the run's last collective comes a few
milliseconds before the interpreter exits, the worker can ask for the GIL
while Python is already finalizing: CPython ends such a thread with
``pthread_exit``, whose unwinding through the work's ``noexcept``
destructor calls ``std::terminate`` ("terminate called without an active
exception", SIGABRT). PyTorch cannot join the workers at that point
because the DDP wrapper keeps the group alive.

What: after the run (``after_run``, reached by every rank together), one
gloo barrier. Its enqueue waits on the queue lock that a worker holds
while it frees a finished work, and the caller waits without the GIL, so
works still being freed are freed now, while the interpreter is intact;
the barrier's own work holds no tensor. Runs that end with an exception
never reach ``after_run`` and are not delayed by a barrier the other ranks
would not join.
"""
from datetime import timedelta

import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


def drain_gloo_workers(timeout: float = 300.0) -> bool:
    """Let the gloo workers free every finished collective now.

    Call it on every rank at the same point (it is a barrier).

    Args:
        timeout: seconds to wait for the other ranks.

    Returns:
        ``True`` if a gloo group was drained, ``False`` when there is
        nothing to do (not distributed, one process, or another backend).
    """
    if not (dist.is_available() and dist.is_initialized()):
        return False
    if dist.get_backend() != 'gloo' or dist.get_world_size() < 2:
        return False
    dist.barrier(timeout=timedelta(seconds=timeout))
    return True


@HOOKS.register_module()
class GlooDrainHook(Hook):
    """Drain the gloo workers when a run (train, val or test) ends.

    Without it a 2-process CPU run aborts with SIGABRT at exit about one
    time in ten (see this module's docstring). Harmless on GPUs (NCCL)
    and in single-process runs, where it does nothing.

    Args:
        timeout: seconds to wait for the other ranks at the barrier.
    """

    priority = 'LOWEST'  # after every other hook's after_run

    def __init__(self, timeout: float = 300.0) -> None:
        self.timeout = timeout

    def after_run(self, runner) -> None:
        drain_gloo_workers(self.timeout)
