"""Let a runner load MMEngine checkpoints with torch's safe unpickler."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from gdkd_seg.checkpoint.safe_load import (finish_loaded_checkpoint,
                                           within_allow_list)


@HOOKS.register_module()
class SafeLoadHook(Hook):
    """``load_from``, ``resume`` and ``init_cfg=dict(type='Pretrained')``
    through the safe unpickler, with every loaded checkpoint finished
    and checked before the runner uses it.

    Before the run, this hook wraps *this runner's* two loading steps,
    ``runner.load_checkpoint`` (``load_from`` and ``resume``) and
    ``runner._init_model_weights`` (pretrained weights), in
    :func:`gdkd_seg.checkpoint.safe_load.mmengine_checkpoint_loading`: the
    MMEngine allow-list is registered with torch only while they run
    (checkpoints of plain MMSeg / MMPretrain runs need it; ours are
    plain data), ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` is set aside, and
    whatever MMEngine's loaders return goes through
    :func:`~gdkd_seg.checkpoint.safe_load.finish_loaded_checkpoint`:
    plain-data forms rebuilt (so ``resume`` restores the message hub and
    random states bit for bit), ``meta['config']`` dropped (MMEngine's
    resume would execute it), anything that is not data refused.
    ``after_load_checkpoint`` does the same once more, in place, for a
    load that bypassed the wrapping. Nothing changes for other runners
    or other ``torch.load`` calls.

    Turn it on in a config with
    ``custom_hooks = [dict(type='SafeLoadHook')]``; every shipped config
    has it from ``configs/_base_/default_runtime.py``.
    """

    # before any other hook sees a checkpoint
    priority = 'HIGHEST'

    def before_run(self, runner) -> None:
        steps = dict(load_checkpoint='checkpoint {0} (load_from/resume)',
                     _init_model_weights='a pretrained checkpoint '
                     '(init_cfg)')
        for name, what in steps.items():
            method = getattr(runner, name)
            if not getattr(method, '__gdkd_safe_load__', False):
                setattr(runner, name, within_allow_list(method, what))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        finished = finish_loaded_checkpoint(
            checkpoint, 'the checkpoint (load_from/resume)')
        if finished is not checkpoint:  # MMEngine keeps using this dict
            checkpoint.clear()
            checkpoint.update(finished)
