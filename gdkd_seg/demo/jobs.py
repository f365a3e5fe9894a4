"""One run of the demo: train a demo config with a seed, then evaluate the
last weights on the held-out test split, in this process, with MMEngine's
runner on our configs (the run tools/train.py then tools/test.py make,
without starting two interpreters per run)."""
import hashlib
import json
import os
import os.path as osp
import resource
import shutil
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
        context: what else defines the run and is not in the options:
            the data's arguments and hash, the config's content hash, the
            teacher's sha256, the package versions (the demo fills it;
            a finished run is reused only if all of it matches).
    """
    name: str
    config: str
    seed: int
    iters: int
    work_dir: str
    options: Dict = field(default_factory=dict)
    split: str = 'test'
    context: Dict = field(default_factory=dict)

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
    """The stored result of ``job`` if it ran with the same settings
    (everything in :class:`Job`, its context included)."""
    path = osp.join(job.work_dir, 'result.json')
    try:
        with open(path) as f:
            result = json.load(f)
    except (OSError, ValueError):  # none, or not a complete file
        return None
    if not isinstance(result, dict) or result.get('job') != _spec(job):
        return None
    return result


def write_json(path: str, data: Dict) -> None:
    """Write ``data`` so that ``path`` is either the old file or the
    complete new one, even if the process is killed meanwhile."""
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1, default=float)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


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


def _pairing_record():
    """A hook recording what must be identical for the runs of one seed:
    the student's weights when training starts (after ``init_weights``),
    the images of every batch in order, and torch's random state after
    every iteration (dropout masks come from it). Each is a sha256, so
    the demo can compare a seed's runs; reading them draws no random
    numbers."""
    import torch
    from mmengine.hooks import Hook
    from mmengine.model import is_model_wrapper

    class PairingRecord(Hook):

        def __init__(self) -> None:
            self.init = hashlib.sha256()
            self.batches = hashlib.sha256()
            self.rng = hashlib.sha256()

        def before_train(self, runner) -> None:
            model = runner.model
            model = model.module if is_model_wrapper(model) else model
            student = getattr(model, 'student', model)
            for key, value in sorted(student.state_dict().items()):
                self.init.update(key.encode() + b'\0')
                self.init.update(value.detach().cpu().contiguous()
                                 .numpy().tobytes())

        def before_train_iter(self, runner, batch_idx,
                              data_batch=None) -> None:
            for sample in data_batch['data_samples']:
                self.batches.update(
                    osp.basename(sample.img_path).encode() + b'\0')

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None) -> None:
            self.rng.update(torch.get_rng_state().numpy().tobytes())

        def result(self) -> Dict[str, str]:
            return dict(init=self.init.hexdigest(),
                        batches=self.batches.hexdigest(),
                        rng=self.rng.hexdigest())

    return PairingRecord()


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

    A run starts in an empty ``work_dir`` (what an interrupted or other
    run left there is removed first) and writes ``result.json`` last and
    atomically, so a directory holds a complete result or none.

    Returns:
        ``{'job', 'test', 'val', 'seconds', 'cpu_seconds', 'pairing',
        'runner'}``:
        the job, its test (``None`` when scored on val) and validation
        mIoU (%), the wall and CPU (user + system) time of this process,
        for a training run the pairing record (see
        :func:`_pairing_record`), and the runner's class (the config's
        ``runner_type``, built as MMSeg's tools build it).
    """
    from mmengine.config import Config
    from mmengine.registry import RUNNERS

    if osp.isdir(job.work_dir):
        shutil.rmtree(job.work_dir)
    os.makedirs(job.work_dir)
    start = time.time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    pairing = None
    with _output_to(osp.join(job.work_dir, 'run.out')):
        cfg = Config.fromfile(job.config)
        cfg.merge_from_dict(job.cfg_options())
        # the config's runner_type (GDKDRunner), as MMSeg's tools build it
        runner = RUNNERS.build(cfg)
        if job.iters == 0:
            val = runner.val()['mIoU']
        else:
            if send is not None:
                every = max(1, job.iters // 20)
                runner.register_hook(_report_iters(send, job.key, every),
                                     priority='LOWEST')
            pairing = _pairing_record()
            runner.register_hook(pairing, priority='LOWEST')
            runner.train()
            val = runner.message_hub.get_scalar('val/mIoU').current()
        test = (float(runner.test()['mIoU']) if job.split == 'test' else
                None)
    end = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (end.ru_utime - usage.ru_utime) + (end.ru_stime - usage.ru_stime)
    result = dict(job=_spec(job), test=test, val=float(val),
                  seconds=round(time.time() - start, 1),
                  cpu_seconds=round(cpu, 1),
                  pairing=pairing.result() if pairing else None,
                  runner=type(runner).__name__)
    write_json(osp.join(job.work_dir, 'result.json'), result)
    return result

