"""Run checkpoints that are plain data, written atomically, and never
lost to a kill."""
import functools
import os
import os.path as osp
import shutil
from typing import List, Optional, Set

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend, get_file_backend
from mmengine.hooks import CheckpointHook, Hook
from mmengine.registry import HOOKS
from mmengine.runner.checkpoint import find_latest_checkpoint

from gdkd_seg.checkpoint.atomic_io import (remove_stale_temporaries,
                                           replace_durably, temporary_name)
from gdkd_seg.checkpoint.latest import newest_complete_checkpoint
from gdkd_seg.checkpoint.plain_data import to_plain


class _DeferredRemoval:
    """A ``CheckpointHook``'s file backend whose ``remove``/``rmtree``
    only note the path; :meth:`SafeSaveHook._remove_pending` removes it
    once the checkpoint that replaces it is in place."""

    def __init__(self, backend, pending: List[str]) -> None:
        self._backend, self._pending = backend, pending

    def remove(self, path) -> None:
        self._pending.append(str(path))

    def rmtree(self, path) -> None:
        self._pending.append(str(path))

    def __getattr__(self, name):
        return getattr(self._backend, name)


@HOOKS.register_module()
class SafeSaveHook(Hook):
    """Checkpoints that load with a plain ``torch.load`` and survive a
    kill at any moment.

    * **Plain data** (``before_save_checkpoint``, after every other
      hook's): the message hub's ``HistoryBuffer``s, numpy arrays and
      numpy scalars are stored as tensors and builtins
      (:func:`gdkd_seg.checkpoint.plain_data.to_plain`), so MMSeg's
      ``init_model``, ``MMSegInferencer``, MMPretrain's ``get_model`` and
      a bare ``torch.load(path)`` read the file with torch's default
      safe unpickler; ``SafeLoadHook`` and our loaders rebuild the
      objects, bit for bit, on resume.
    * **Atomic saves**: this runner's ``save_checkpoint`` writes to a
      temporary file in the same folder, fsyncs it, renames it into
      place and fsyncs the folder; ``CheckpointHook`` writes
      ``last_checkpoint`` only after that.
    * **Deletions last**: the checkpoints ``CheckpointHook`` drops
      (``max_keep_ckpts``, the previous ``save_best``) are removed after
      its save step has finished, i.e. once the new file is in place.
    * **Resume from the newest complete checkpoint** (``resume=True``
      without a file): :func:`gdkd_seg.checkpoint.latest.
      newest_complete_checkpoint`, which also survives a kill between
      the rename and the ``last_checkpoint`` update. Temporary files of
      killed writers are removed.

    Turn it on with ``custom_hooks = [dict(type='SafeSaveHook')]``;
    every shipped config has it from ``configs/_base_/
    default_runtime.py``. Objects of other classes in a checkpoint are
    kept as they are, with a warning (the file then needs the
    ``safe_globals`` opt-in to load).
    """

    # after CheckpointHook (VERY_LOW) in every stage, after RNGStateHook
    # in before_save_checkpoint
    priority = 'LOWEST'

    def __init__(self) -> None:
        self._pending: List[str] = []
        self._written: Set[str] = set()
        self._warned: Set[str] = set()

    # --- saving ------------------------------------------------------
    def before_run(self, runner) -> None:
        save = runner.save_checkpoint
        if not getattr(save, '__gdkd_atomic__', False):
            runner.save_checkpoint = self._atomic(save, runner)
        if runner._resume and runner._load_from is None:
            self._choose_resume(runner)

    def _atomic(self, save, runner):

        @functools.wraps(save)
        def atomic_save(out_dir, filename, file_client_args=None,
                        **kwargs):
            local = file_client_args is None and isinstance(
                get_file_backend(out_dir,
                                 backend_args=kwargs.get('backend_args')),
                LocalBackend)
            if not local:
                self._warn_once(runner, 'remote', 'checkpoints to '
                                f'{out_dir} are not written atomically '
                                '(not a local folder)')
                return save(out_dir, filename, file_client_args, **kwargs)
            path = osp.join(str(out_dir), filename)
            temporary = temporary_name(path)
            try:
                save(out_dir, osp.basename(temporary), None, **kwargs)
                if is_main_process():  # save_checkpoint is master_only
                    replace_durably(temporary, path)
                    self._written.add(path)
            except BaseException:
                if osp.lexists(temporary):
                    os.remove(temporary)
                raise

        atomic_save.__gdkd_atomic__ = True
        return atomic_save

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        left = []
        for key in list(checkpoint):
            checkpoint[key], found = to_plain(checkpoint[key], key)
            left += found
        if left:
            self._warn_once(
                runner, ','.join(left),
                f'the checkpoint holds objects that are not plain data: '
                f'{left}; a plain torch.load (MMSeg, MMPretrain) will refuse '
                'it, and gdkd_seg loads it only with the safe_globals opt-in')

    # --- deletions after the new checkpoint is in place ---------------
    def before_train(self, runner) -> None:
        for hook in self._checkpoint_hooks(runner):
            backend = getattr(hook, 'file_backend', None)
            if backend is not None and not isinstance(
                    backend, _DeferredRemoval):
                hook.file_backend = _DeferredRemoval(backend, self._pending)
            if is_main_process() and isinstance(backend, LocalBackend):
                for path in remove_stale_temporaries(str(hook.out_dir)):
                    runner.logger.info(f'removed {path}, left by a run '
                                       'killed while saving')

    def _remove_pending(self) -> None:
        pending = [p for p in self._pending if p not in self._written]
        self._pending.clear()
        self._written.clear()
        for path in pending:
            if osp.isfile(path):
                os.remove(path)
            elif osp.isdir(path):  # DeepSpeed checkpoints are folders
                shutil.rmtree(path)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        self._remove_pending()

    def after_train_epoch(self, runner) -> None:
        self._remove_pending()

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._remove_pending()

    def after_train(self, runner) -> None:
        self._remove_pending()

    # --- resuming -----------------------------------------------------
    def _choose_resume(self, runner) -> None:
        templates = {h.filename_tmpl for h in self._checkpoint_hooks(runner)}
        chosen = newest_complete_checkpoint(
            runner.work_dir, sorted(templates) or ('iter_{}.pth',
                                                   'epoch_{}.pth'))
        if chosen is None:
            return  # MMEngine's "Did not find last_checkpoint"
        named: Optional[str] = find_latest_checkpoint(runner.work_dir)
        if chosen != named:
            runner.logger.warning(
                f'last_checkpoint names {named!r}; resuming from {chosen}, '
                'the newest complete checkpoint (the previous run was '
                'killed while saving)')
        runner.logger.info(f'Auto resumed from the newest complete '
                           f'checkpoint {chosen}.')
        runner._load_from = chosen

    @staticmethod
    def _checkpoint_hooks(runner) -> List[CheckpointHook]:
        return [h for h in runner.hooks if isinstance(h, CheckpointHook)]

    def _warn_once(self, runner, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            runner.logger.warning(message)
