"""Let a runner load MMEngine checkpoints with torch's safe unpickler."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from gdkd_seg.checkpoint.safe_load import check_checkpoint, within_allow_list


@HOOKS.register_module()
class SafeLoadHook(Hook):
    """``load_from``, ``resume`` and ``init_cfg=dict(type='Pretrained')``
    through the safe unpickler plus the MMEngine allow-list.

    MMEngine's runner calls ``torch.load`` (safe by default since torch
    2.6) on checkpoints holding a few objects the safe unpickler refuses
    (see :func:`gdkd_seg.utils.safe_load.checkpoint_globals`). Before the
    run, this hook wraps *this runner's* two loading steps,
    ``runner.load_checkpoint`` (``load_from`` and ``resume``) and
    ``runner._init_model_weights`` (pretrained weights), so that the
    allow-list is registered with torch only while they run; it then
    checks every loaded checkpoint for objects that are not data
    (``after_load_checkpoint``), before the runner uses its weights,
    optimizer, scheduler or message-hub state. Nothing changes for other
    runners or other ``torch.load`` calls.

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
        check_checkpoint(checkpoint, 'the checkpoint (load_from/resume)')
