"""Save the random generators' states in checkpoints and restore them on
resume, so that a resumed run continues exactly where it was killed."""
import random
from typing import Optional

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


class _RestoreAfterSkip:
    """Wraps the train loop's data iterator: after the ``skip`` batches
    MMEngine's ``IterBasedTrainLoop`` fetches again on resume, restore the
    saved states, then hand the loop back its own iterator."""

    def __init__(self, loop, skip: int, restore) -> None:
        self.loop, self.inner = loop, loop.dataloader_iterator
        self.skip, self.restore = skip, restore

    def __iter__(self):
        return self

    def __next__(self):
        if self.skip == 0:
            self.restore()
            self.loop.dataloader_iterator = self.inner
        else:
            self.skip -= 1
        return next(self.inner)


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Make ``--resume`` continue the random streams of the killed run.

    MMEngine saves the seed but not the generators' states, and re-seeds
    on resume, so dropout masks and (with ``num_workers=0``) augmentations
    after a resume differ from an uninterrupted run. This hook stores the
    Python, numpy, torch and CUDA states in every checkpoint and restores
    them right before the first batch after the resume, i.e. after the
    batches MMEngine's iteration-based loop re-reads to advance the
    sampler (those re-reads would otherwise consume the restored states).
    """

    priority = 'VERY_LOW'
    KEY = 'rng_state'

    def __init__(self) -> None:
        self._resumed: Optional[dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[self.KEY] = dict(
            python=random.getstate(),
            numpy=np.random.get_state(),
            torch=torch.get_rng_state(),
            cuda=(torch.cuda.get_rng_state_all()
                  if torch.cuda.is_available() else []))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        # `load_from` without `resume` starts a new run: keep its seeding
        if runner._resume:
            self._resumed = checkpoint.get(self.KEY)
            if self._resumed is None:
                runner.logger.warning(
                    'the checkpoint has no random states (written without '
                    'RNGStateHook): the resumed run is not exact')

    def _restore(self) -> None:
        state, self._resumed = self._resumed, None
        random.setstate(state['python'])
        np.random.set_state(state['numpy'])
        torch.set_rng_state(state['torch'])
        if state['cuda'] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])

    def before_train_epoch(self, runner) -> None:
        if self._resumed is None:
            return
        loop = runner.train_loop
        if hasattr(loop, 'dataloader_iterator') and runner.iter > 0:
            loop.dataloader_iterator = _RestoreAfterSkip(
                loop, runner.iter, self._restore)
        else:  # epoch-based loops resume at an epoch start, no re-reads
            self._restore()
