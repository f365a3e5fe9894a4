"""The runner every gdkd_seg config selects (``runner_type='GDKDRunner'``
in ``configs/_base_/default_runtime.py``).

It is MMEngine's ``Runner`` plus what has to happen to the config before
MMEngine's runner builds anything, which no hook can do: MMEngine's
``Runner.__init__`` starts the process group (``torch.cuda.set_device``
first), builds the model and its DDP wrapper, and the optimizer wrapper
refuses to build without a GPU when it is ``AmpOptimWrapper``. MMSeg's
and MMPretrain's ``tools/train.py`` (and ``mim train``) build the runner
with ``RUNNERS.build(cfg)``, which honours ``runner_type``; so does ours.
``Runner.from_cfg(cfg)`` ignores ``runner_type``: it gets the hooks and
the optimizer wrapper of the config, but none of the CPU fallbacks below.
"""
import copy
import os
from contextlib import ExitStack, contextmanager
from typing import Iterator, List, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from gdkd_seg.checkpoint.safe_load import allow_globals, explain_unsafe_load
from gdkd_seg.compat.dist_env import setup_cpu_distributed
from gdkd_seg.engine.batch_check import check_batch_size, tuned_batch_size
from gdkd_seg.engine.hooks.data_check_hook import explain_empty_dataset

# the hooks of configs/_base_/default_runtime.py
BASE_HOOKS = ('SafeLoadHook', 'SafeSaveHook', 'RNGStateHook',
              'DataCheckHook', 'GlooDrainHook')


def amp_without_gpu(cfg: Config) -> Optional[str]:
    """Turn ``AmpOptimWrapper`` (fp16 + loss scaling, GPU only) into bf16
    autocast on CPU (:class:`AutocastOptimWrapper`, no loss scaling).

    Returns:
        A note for the log, or ``None`` when nothing was changed.
    """
    wrapper = cfg.get('optim_wrapper')
    if (not wrapper or wrapper.get('type') != 'AmpOptimWrapper'
            or torch.cuda.is_available()):
        return None
    for key in ('loss_scale', 'dtype', 'use_fsdp'):
        wrapper.pop(key, None)  # bf16 needs no loss scaling
    wrapper.update(type='AutocastOptimWrapper', dtype='bfloat16',
                   device_type='cpu')
    return 'AMP without a GPU: bf16 autocast on CPU (AutocastOptimWrapper)'


def fill_base_batch_size(cfg: Config) -> None:
    """With ``auto_scale_lr.enable``, take ``base_batch_size`` from the
    ``NxbM`` of the config's (or its bases') file name if it is missing.

    Raises:
        KeyError: the batch the config was tuned for is unknown.
    """
    scale = cfg.get('auto_scale_lr')
    if not scale or not scale.get('enable', False) or scale.get(
            'base_batch_size'):
        return
    tuned = tuned_batch_size(cfg)
    if tuned is None:
        raise KeyError('auto_scale_lr (--auto-scale-lr) needs '
                       'auto_scale_lr=dict(base_batch_size=...) in the '
                       'config, or NxbM in its (base) file name')
    scale['base_batch_size'] = tuned


def prepare_config(cfg: Config) -> Tuple[List[str], List[str]]:
    """Everything done to ``cfg`` (in place) before MMEngine builds the
    runner: safe-loading opt-ins, CPU distributed start (gloo), SyncBN to
    BN and AMP to bf16 autocast without a GPU, the base batch of
    ``auto_scale_lr``.

    Returns:
        ``(notes, warnings)`` for the run's log.
    """
    notes, warnings = [], []
    trusted = allow_globals(cfg.get('safe_globals', None) or [])
    if trusted:
        warnings.append(f"safe loading allows the config's {trusted}")
    if os.environ.get('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'):
        warnings.append('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD is set: gdkd_seg '
                        "ignores it in its own loads (teacher, SafeLoadHook's"
                        '), but any other torch.load in this process '
                        'unpickles unsafely')
    for note in (setup_cpu_distributed(cfg), amp_without_gpu(cfg)):
        if note:
            notes.append(note)
    fill_base_batch_size(cfg)
    hooks = {h.get('type') for h in cfg.get('custom_hooks', None) or []}
    missing = [h for h in BASE_HOOKS if h not in hooks]
    if missing:
        warnings.append(
            f'custom_hooks lack {missing} of configs/_base_/'
            'default_runtime.py (a config that sets custom_hooks replaces '
            'the list: write `custom_hooks = _base_.custom_hooks + [...]`)')
    return notes, warnings


@contextmanager
def _explained(cfg: Config) -> Iterator[None]:
    """Errors of checkpoint loading and empty datasets, reworded."""
    with ExitStack() as stack:
        stack.enter_context(
            explain_unsafe_load('a checkpoint (teacher, load_from or '
                                'resume)'))
        stack.enter_context(explain_empty_dataset(cfg))
        yield


class RunConfig(Config):
    """A run's config whose text is formatted once per content.

    MMEngine formats a config's text with yapf each time a run logs or
    dumps it (four times as the runner starts) and again for every
    checkpoint's ``meta['cfg']``: ~1 s each for a distillation config on
    the 2-core VM, a third of a tiny run's CPU time. The text depends
    only on the content and the formatting switch, so it is kept for
    them; a changed config is formatted again.
    """

    @classmethod
    def of(cls, cfg: Config) -> 'RunConfig':
        """``cfg``'s content (shared, as ``copy.copy`` shares it) as a
        :class:`RunConfig`."""
        run_cfg = cls.__new__(cls)
        run_cfg.__dict__.update(cfg.__dict__)
        return run_cfg

    @property
    def pretty_text(self) -> str:
        key = (self._format_python_code, repr(self.to_dict()))
        kept = self.__dict__.get('_kept_text')
        if kept is None or kept[0] != key:
            kept = (key, Config.pretty_text.fget(self))
            # Config's own __setattr__ would store it in the content
            object.__setattr__(self, '_kept_text', kept)
        return kept[1]


@RUNNERS.register_module()
class GDKDRunner(Runner):
    """MMEngine's ``Runner`` that first runs :func:`prepare_config` and
    formats the config's text once (:class:`RunConfig`).

    Build it as MMSeg's tools do, ``RUNNERS.build(cfg)`` (or
    ``GDKDRunner.from_cfg(cfg)``). The notes and warnings are logged,
    with a warning when the global batch differs from the one the config
    was tuned for.
    """

    @classmethod
    def from_cfg(cls, cfg) -> 'GDKDRunner':
        cfg = copy.deepcopy(cfg)
        if not isinstance(cfg, Config):
            cfg = Config(cfg)
        notes, warnings = prepare_config(cfg)
        cfg = RunConfig.of(cfg)
        with _explained(cfg):
            runner = super().from_cfg(cfg)
        batch = check_batch_size(cfg, runner.world_size)
        for msg in notes:
            runner.logger.info(msg)
        for msg in warnings + ([batch] if batch else []):
            runner.logger.warning(msg)
        return runner

    def train(self):
        with _explained(self.cfg):
            return super().train()

    def val(self) -> dict:
        with _explained(self.cfg):
            return super().val()

    def test(self) -> dict:
        with _explained(self.cfg):
            return super().test()
