"""Evaluate the frozen teacher once before training, so that a wrong or
mismatched teacher checkpoint is caught before hours of distillation."""
import json
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class TeacherEvalHook(Hook):
    """Run the validation set through the teacher at the start of training.

    The metrics are logged and cached in ``<work_dir>/<cache_file>`` (keyed
    by the teacher checkpoint), so a resumed run does not pay twice.

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
        key = str(runner.cfg.model.get('teacher_ckpt'))
        path = osp.join(runner.work_dir, self.cache_file)
        metrics = None
        if osp.isfile(path):
            with open(path) as f:
                cached = json.load(f)
            if cached.get('teacher_ckpt') == key:
                metrics = cached['metrics']
                runner.logger.info(f'teacher metrics (cached in {path}): '
                                   f'{metrics}')
        if metrics is None:
            metrics = self._evaluate(runner, teacher)
            runner.logger.info(f'teacher metrics before training: {metrics}')
            if is_main_process():
                with open(path, 'w') as f:
                    json.dump(dict(teacher_ckpt=key, metrics=metrics), f,
                              indent=1)
        low = {k: (metrics.get(k), v) for k, v in self.min_metrics.items()
               if metrics.get(k) is None or metrics[k] < v}
        if low:
            raise RuntimeError(
                f'the teacher ({key}) scores {low} as (got, minimum) on the '
                'validation set: a wrong checkpoint, or one trained on '
                'other classes / another label encoding? Fix the teacher '
                'before distilling from it.')

    @staticmethod
    @torch.no_grad()
    def _evaluate(runner, teacher) -> dict:
        loop = runner.val_loop
        for data in loop.dataloader:
            loop.evaluator.process(
                data_samples=teacher.val_step(data), data_batch=data)
        metrics = loop.evaluator.evaluate(len(loop.dataloader.dataset))
        return {k: float(v) for k, v in metrics.items()}
