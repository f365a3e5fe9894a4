"""Evaluate the frozen teacher once before training, so that a wrong or
mismatched teacher checkpoint is caught before hours of distillation."""
import hashlib
import json
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from gdkd_seg.checkpoint.atomic_io import atomic_write_text


def teacher_key(teacher: torch.nn.Module, runner) -> str:
    """SHA-256 of what the teacher's metrics depend on: its weights as
    loaded (every state_dict entry's name, dtype, shape and bytes) and
    the validation set-up (``val_dataloader``, ``val_evaluator``)."""
    digest = hashlib.sha256()
    for name, value in teacher.state_dict().items():
        value = value.detach().cpu().contiguous()
        digest.update(f'{name}|{value.dtype}|{tuple(value.shape)}|'.encode())
        digest.update(value.reshape(-1).view(torch.uint8).numpy().tobytes())
    for key in ('val_dataloader', 'val_evaluator'):
        digest.update(repr(runner.cfg.get(key)).encode())
    return digest.hexdigest()


@HOOKS.register_module()
class TeacherEvalHook(Hook):
    """Run the validation set through the teacher at the start of training.

    The metrics are logged and cached in ``<work_dir>/<cache_file>``,
    written atomically and keyed by the content of the teacher (a
    SHA-256 of its weights as loaded, and of the validation set-up:
    :func:`teacher_key`), so a resumed run does not pay twice and a
    teacher replaced at the same path is evaluated again. A cache that
    cannot be read (cut short, edited) is recomputed with a warning.

    Args:
        min_metrics: e.g. ``dict(mIoU=70)``: stop with an error when the
            teacher scores below (a teacher trained on other classes or
            another label encoding scores near zero).
        cache_file: the cache's name in the work dir.
    """

    priority = 'LOW'

    def __init__(self,
                 min_metrics: Optional[Dict[str, float]] = None,
                 cache_file: str = 'teacher_eval.json') -> None:
        self.min_metrics = dict(min_metrics or {})
        self.cache_file = cache_file

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        teacher = getattr(model, 'teacher', None)
        if teacher is None or runner.val_loop is None:
            raise RuntimeError('TeacherEvalHook needs a distiller (with a '
                               '`teacher`) and a val_dataloader/evaluator')
        name = str(runner.cfg.model.get('teacher_ckpt'))
        key = teacher_key(teacher, runner)
        path = osp.join(runner.work_dir, self.cache_file)
        metrics = self._cached(runner, path, key)
        if metrics is None:
            metrics = self._evaluate(runner, teacher)
            runner.logger.info(f'teacher metrics before training: {metrics}')
            if is_main_process():
                atomic_write_text(path, json.dumps(
                    dict(teacher_sha256=key, teacher_ckpt=name,
                         metrics=metrics), indent=1))
        low = {k: (metrics.get(k), v) for k, v in self.min_metrics.items()
               if metrics.get(k) is None or metrics[k] < v}
        if low:
            raise RuntimeError(
                f'the teacher ({name}) scores {low} as (got, minimum) on the '
                'validation set: a wrong checkpoint, or one trained on '
                'other classes / another label encoding? Fix the teacher '
                'before distilling from it.')

    @staticmethod
    def _cached(runner, path: str, key: str) -> Optional[dict]:
        """The cached metrics if ``path`` holds them for ``key``; a cache
        that cannot be read is reported and ignored (recomputed)."""
        if not osp.isfile(path):
            return None
        try:
            with open(path) as f:
                cached = json.load(f)
            metrics = cached['metrics'] if cached.get(
                'teacher_sha256') == key else None
            if metrics is not None and not (isinstance(metrics, dict) and all(
                    isinstance(v, (int, float)) for v in metrics.values())):
                raise ValueError(f'metrics {metrics!r:.80}')
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            runner.logger.warning(f'ignoring the teacher cache {path}, '
                                  f'which cannot be read ({err!r:.120}); '
                                  'evaluating the teacher again')
            return None
        if metrics is not None:
            runner.logger.info(f'teacher metrics (cached in {path}): '
                               f'{metrics}')
        return metrics

    @staticmethod
    @torch.no_grad()
    def _evaluate(runner, teacher) -> dict:
        loop = runner.val_loop
        for data in loop.dataloader:
            loop.evaluator.process(
                data_samples=teacher.val_step(data), data_batch=data)
        metrics = loop.evaluator.evaluate(len(loop.dataloader.dataset))
        return {k: float(v) for k, v in metrics.items()}
