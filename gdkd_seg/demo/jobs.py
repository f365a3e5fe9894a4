"""One run of the demo: train a demo config with a seed, then evaluate the
last weights on the held-out test split, in this process, with MMEngine's
runner on our configs (the run tools/train.py then tools/test.py make,
without starting two interpreters per run)."""
import json
import os
import os.path as osp
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, Iterator, Optional


@dataclass
class Job:
    """What to run.

    Attributes:
        name: the method (``baseline``, ``gdkd``, ...) or ``teacher``.
        config: path of the demo config.
        seed: the run's seed (``randomness.seed``).
        iters: training iterations.
        work_dir: where MMEngine writes logs, checkpoint and
            ``result.json``.
        options: further ``--cfg-options`` (data root, teacher weights).
        split: the split that scores the run: ``'test'`` (the held-out
            split) or ``'val'`` (design choices; test is then never
            evaluated).
    """
    name: str
    config: str
    seed: int
    iters: int
    work_dir: str
    options: Dict = field(default_factory=dict)
    split: str = 'test'

    @property
    def key(self) -> str:
        return f'{self.name} s{self.seed}'

    def cfg_options(self) -> Dict:
        """The options that turn the config into this run."""
        iters = self.iters
        if iters == 0:  # evaluation only
            return dict(self.options, work_dir=self.work_dir,
                        experiment_name=f'{self.name}_eval')
        return dict(self.options, **{
            'train_cfg.max_iters': iters,
            'train_cfg.val_interval': iters,  # validate once, at the end
            'param_scheduler.0.end': iters,
            'default_hooks.checkpoint.interval': iters,
            'default_hooks.logger.interval': max(1, min(50, iters // 4)),
            'randomness.seed': self.seed,
            'work_dir': self.work_dir,
            'experiment_name': f'{self.name}_seed{self.seed}',
        })


def finished(job: Job) -> Optional[Dict]:
    """The stored result of ``job`` if it ran with the same settings."""
    path = osp.join(job.work_dir, 'result.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        result = json.load(f)
    return result if result.get('job') == _spec(job) else None


def _spec(job: Job) -> Dict:
    return json.loads(json.dumps(asdict(job), default=str))


def _report_iters(send: Callable, key: str, every: int):
    """A hook sending ``('iter', key, iteration)`` every ``every``
    training iterations (mmengine is imported here, not at module import:
    the demo's workers import it after redirecting their output)."""
    from mmengine.hooks import Hook

    class ReportIters(Hook):

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None) -> None:
            step = runner.iter + 1
            if step % every == 0 or step == runner.max_iters:
                send(('iter', key, step))

    return ReportIters()


@contextmanager
def _output_to(path: str) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors 1 and 2,
    so MMEngine's console log too) to ``path``."""
    import sys
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, 'a') as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def run_job(job: Job, send: Optional[Callable] = None) -> Dict:
    """Train ``job`` and test its last weights; write ``result.json``.

    The console output goes to ``<work_dir>/run.out`` (MMEngine's own log
    is in ``<work_dir>/<timestamp>/``).

    Args:
        job: the run; with ``iters=0`` only evaluated (its options must
            then hold ``load_from``).
        send: called with ``('iter', key, iteration)`` messages.

    Returns:
        ``{'job', 'test', 'val', 'seconds'}``: the job, its test and
        validation mIoU (%) and the wall time.
    """
    from mmengine.config import Config
    from mmengine.runner import Runner

    os.makedirs(job.work_dir, exist_ok=True)
    start = time.time()
    with _output_to(osp.join(job.work_dir, 'run.out')):
        cfg = Config.fromfile(job.config)
        cfg.merge_from_dict(job.cfg_options())
        runner = Runner.from_cfg(cfg)
        if job.iters == 0:
            val = runner.val()['mIoU']
        else:
            if send is not None:
                every = max(1, job.iters // 20)
                runner.register_hook(_report_iters(send, job.key, every),
                                     priority='LOWEST')
            runner.train()
            val = runner.message_hub.get_scalar('val/mIoU').current()
        test = (float(runner.test()['mIoU']) if job.split == 'test' else
                None)
    result = dict(job=_spec(job), test=test, val=float(val),
                  seconds=round(time.time() - start, 1))
    with open(osp.join(job.work_dir, 'result.json'), 'w') as f:
        json.dump(result, f, indent=1)
    return result

