"""The offline demo, end to end: data, teacher, paired students, held-out
evaluation, statistics, tables and plots (``tools/demo.py`` is its CLI)."""
import copy
import fcntl
import json
import multiprocessing as mp
import os
import os.path as osp
import platform
import queue as queue_lib
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence

from .jobs import Job, finished, run_job, write_json
from .progress import Progress

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs', 'demo')
TEACHER_CONFIG = osp.join(CONFIGS, 'plainnet32_teacher_digits.py')
# the shipped teacher and what it was trained on (`python tools/demo.py
# --export-teacher` writes a new pair into the work dir)
TEACHER_CKPT = osp.join(CONFIGS, 'teacher', 'plainnet32_teacher_digits.pth')
TEACHER_INFO = osp.join(CONFIGS, 'teacher', 'teacher.json')
STUDENTS = {
    'baseline': 'plainnet16_baseline_digits.py',
    'kd': 'kd_plainnet32_to_plainnet16_digits.py',
    'dkd': 'dkd_plainnet32_to_plainnet16_digits.py',
    'gdkd': 'gdkd_plainnet32_to_plainnet16_digits.py',
    'gdkd_ls': 'gdkd_plainnet32_to_plainnet16_ls_digits.py',
}
# relative cost of one training iteration, for the ETA (a distilled
# iteration also runs the teacher; measured on a 2-core VM)
COST = dict(baseline=1.0, teacher=2.0)
DISTILLED_COST = 1.4
# the default run and the --quick one (tiny data, 2 seeds, a few
# iterations, every method: CI). docs "Demo" says how the full one was
# chosen: 16 seeds of 250 iterations give the pre-registered analysis
# >= 95 % power (chosen on val with pilot seeds 200-209, never on test);
# it trains what the primary comparisons need (DKD and GDKD+LS are
# exploratory: add them with --methods)
DEFAULTS = dict(
    full=dict(seeds=list(range(16)), iters=250, teacher_iters=3000,
              methods=['baseline', 'kd', 'gdkd'],
              data=dict(n_train=300, n_val=500, n_test=1000)),
    quick=dict(seeds=[0, 1], iters=4, teacher_iters=8,
               methods=list(STUDENTS),
               data=dict(n_train=16, n_val=4, n_test=8)))


class DemoError(RuntimeError):
    """A demo run refused before it started (bad settings, a teacher that
    does not match its record, a teacher that saw the held-out digits, a
    work dir in use)."""


@dataclass
class Settings:
    """What the demo runs (``tools/demo.py`` fills it from its flags)."""
    work_dir: str
    seeds: Sequence[int]
    methods: Sequence[str]
    iters: int
    data: Dict  # build_demo_digits arguments
    teacher_iters: int
    train_teacher: bool = False
    jobs: int = 2
    threads: int = 1
    force: bool = False
    cfg_options: Dict = field(default_factory=dict)
    plots: bool = True
    split: str = 'test'  # 'val': design choices, test never evaluated
    teacher_ckpt: str = TEACHER_CKPT  # the shipped teacher ...
    teacher_info: str = TEACHER_INFO  # ... and its record (sha256, data)

    def check(self) -> None:
        """Refuse settings that would give a wrong table.

        Raises:
            DemoError: a seed or method given twice, an unknown method,
                no seeds, fewer than one iteration, an unknown split.
        """
        for what, values in (('seed', self.seeds),
                             ('method', self.methods)):
            twice = sorted({v for v in values if list(values).count(v) > 1})
            if twice:
                raise DemoError(
                    f'{what} {twice[0]} is given twice: each {what} is one '
                    'run, and a repeated one would be counted as if it '
                    'were independent')
        unknown = [m for m in self.methods if m not in STUDENTS]
        if unknown or not self.methods:
            raise DemoError(f'unknown methods {unknown}; choose from '
                            f'{list(STUDENTS)}')
        if not self.seeds:
            raise DemoError('no seeds')
        if self.iters < 1 or self.teacher_iters < 1:
            raise DemoError('iterations must be at least 1')
        if self.split not in ('test', 'val'):
            raise DemoError(f'split must be test or val, not {self.split}')

    @classmethod
    def defaults(cls, quick: bool = False, data_seed: int = 0,
                 **changes) -> 'Settings':
        """The default run (``quick``: the CI one) with ``changes``; a
        change of ``None`` keeps the default.

        Args:
            quick: start from the quick run's defaults.
            data_seed: seed of the generated benchmark.
            **changes: other fields (``work_dir`` is required).
        """
        fields = copy.deepcopy(DEFAULTS['quick' if quick else 'full'])
        fields['data'] = dict(fields['data'], seed=data_seed)
        fields.update({k: v for k, v in changes.items() if v is not None})
        return cls(**fields)


def _data_options(root: str) -> Dict:
    return {f'{k}_dataloader.dataset.data_root': root
            for k in ('train', 'val', 'test')}


def _watch_parent(parent: int) -> None:
    """End this worker if the demo's main process goes away (killed): an
    orphan would go on writing into a work dir that a restarted demo
    uses.

    On Linux the kernel kills the worker (``PR_SET_PDEATHSIG``) the moment
    its parent dies; the watch thread alone was late when the worker held
    the GIL (an extension's import, a long C call) on a loaded machine
    (``tests/demo/test_demo_interrupt.py`` failed once in 4 at load 10).
    The thread stays for other systems."""
    try:
        import ctypes
        pr_set_pdeathsig = 1  # <linux/prctl.h>
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig,
                                                signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux
        pass
    if os.getppid() != parent:  # died before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _init_worker(messages, threads: int, log: str, parent: int) -> None:
    _watch_parent(parent)
    # imports warn on stderr: into the workers' log, not the progress
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(out, 1)
    os.dup2(out, 2)
    import torch
    torch.set_num_threads(threads)
    import gdkd_seg.demo  # noqa: F401  (registrations)
    global _SEND
    _SEND = messages.put
    messages.put(('pid', None, os.getpid()))


def _work(job: Job) -> Dict:
    return run_job(job, _SEND)


@contextmanager
def _quiet_imports() -> Iterator[None]:
    """The stack's import-time deprecation warnings (pkg_resources, ...)
    would land between the progress lines; the workers silence them the
    same way (PYTHONWARNINGS)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        yield


def versions() -> Dict[str, str]:
    """The versions a run's numbers depend on (part of the reuse key)."""
    with _quiet_imports():
        import mmengine
        import mmseg
        import torch

        import gdkd_seg
    return dict(gdkd_seg=gdkd_seg.__version__, mmseg=mmseg.__version__,
                mmengine=mmengine.__version__, torch=torch.__version__)


def config_sha256(job: Job, cache: Dict) -> str:
    """sha256 of the config ``job`` runs: the file with its bases,
    merged with the job's options."""
    import hashlib
    if job.config not in cache:
        with _quiet_imports():
            from mmengine.config import Config
            cache[job.config] = Config.fromfile(job.config)
    cfg = copy.deepcopy(cache[job.config])
    cfg.merge_from_dict(job.cfg_options())
    text = json.dumps(cfg.to_dict(), sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _schedule(settings: Settings, teacher_ckpt: Optional[str],
              data_root: str, context: Dict) -> List[Job]:
    jobs = []
    for seed in settings.seeds:  # a seed's runs finish together
        for name in settings.methods:
            options = dict(_data_options(data_root), **settings.cfg_options)
            job_context = dict(context)
            if name != 'baseline':
                options['model.teacher_ckpt'] = teacher_ckpt
            else:  # the baseline does not depend on the teacher
                job_context.pop('teacher_sha256', None)
            jobs.append(Job(name, osp.join(CONFIGS, STUDENTS[name]), seed,
                            settings.iters,
                            osp.join(settings.work_dir, name, f'seed{seed}'),
                            options, settings.split, job_context))
    return jobs


def teacher_checkpoint(job: Job) -> str:
    """The checkpoint a teacher-training job leaves."""
    return osp.join(job.work_dir, f'iter_{job.iters}.pth')


def run_all(jobs: List[Job], teacher_job: Optional[Job], settings: Settings,
            progress_stream=None) -> Dict[str, Dict]:
    """Run ``jobs`` (after ``teacher_job`` where they need a teacher) on
    ``settings.jobs`` worker processes; returns ``{job key: result}``.

    A finished run is reused when everything that defines it matches
    (:func:`gdkd_seg.demo.jobs.finished`); the students of a teacher
    trained here are checked once its checkpoint (and so its sha256)
    exists."""
    todo = ([teacher_job] if teacher_job else []) + jobs
    results = {}
    cost = {j.key: COST.get(j.name, DISTILLED_COST) for j in todo}
    progress = Progress({j.key: j.iters for j in todo}, cost,
                        stream=progress_stream)
    for job in todo:
        done = None if settings.force else finished(job)
        if done:
            results[job.key] = done
            progress.skip(job.key)
    pending = [j for j in todo if j.key not in results]
    if not pending:
        return results
    ctx = mp.get_context('spawn')
    messages = ctx.Queue()
    # the workers inherit these when they start: one thread each, and no
    # import warnings over the progress display (their output then goes
    # to workers.log and each run's run.out)
    saved_env = {k: os.environ.get(k)
                 for k in ('OMP_NUM_THREADS', 'PYTHONWARNINGS')}
    os.environ.update(OMP_NUM_THREADS=str(settings.threads),
                      PYTHONWARNINGS='ignore')
    try:
        return _run_pool(ctx, messages, pending, teacher_job, settings,
                         progress, results)
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run_pool(ctx, messages, pending: List[Job], teacher_job: Optional[Job],
              settings: Settings, progress: Progress,
              results: Dict[str, Dict]) -> Dict[str, Dict]:
    waiting_for_teacher = teacher_job is not None and (
        teacher_job.key not in results)
    pool = ProcessPoolExecutor(
        settings.jobs, mp_context=ctx, initializer=_init_worker,
        initargs=(messages, settings.threads,
                  osp.join(settings.work_dir, 'workers.log'), os.getpid()))
    workers = set()
    running = {}

    def submit(job: Job) -> None:
        running[pool.submit(_work, job)] = job

    try:
        queued = []
        for job in pending:
            if waiting_for_teacher and job.name not in ('baseline',
                                                        'teacher'):
                queued.append(job)
            else:
                submit(job)
        while running:
            done, _ = wait(list(running), timeout=0.5,
                           return_when=FIRST_COMPLETED)
            while True:
                try:
                    kind, key, value = messages.get_nowait()
                except queue_lib.Empty:
                    break
                if kind == 'pid':
                    workers.add(value)
                elif key in progress.total:
                    progress.update(key, value)
            for future in done:
                job = running.pop(future)
                result = future.result()  # re-raises a failed run
                results[job.key] = result
                score = (f"test mIoU {result['test']:.2f} (val "
                         f"{result['val']:.2f})" if result['test'] is not
                         None else f"val mIoU {result['val']:.2f}")
                progress.done(job.key, f"{job.key}: {score}, "
                              f"{result['seconds']:.0f} s")
                if job is teacher_job:
                    digest = sha256(teacher_checkpoint(job))
                    for waiting in queued:
                        waiting.context['teacher_sha256'] = digest
                        done_before = (None if settings.force else
                                       finished(waiting))
                        if done_before:
                            results[waiting.key] = done_before
                            progress.skip(waiting.key)
                        else:
                            submit(waiting)
                    queued = []
            progress.draw()
    except BaseException:
        # a failed run, Ctrl-C, ...: stop the other runs now rather than
        # after they finish (their directories hold no result.json, so a
        # restart redoes them from scratch)
        pool.shutdown(wait=False, cancel_futures=True)
        for pid in workers:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        raise
    pool.shutdown(wait=True)
    return results


def sha256(path: str) -> str:
    import hashlib
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def machine() -> str:
    return (f'{platform.machine()} {os.cpu_count()}-core '
            f'{platform.system()}, Python {platform.python_version()}')


def save_json(path: str, data: Dict) -> None:
    write_json(path, data)


def verify_teacher(ckpt: str, info_path: str) -> Dict:
    """The shipped teacher's record, after checking that ``ckpt`` is the
    file it describes.

    Raises:
        DemoError: the file's sha256 differs from the record's.
    """
    with open(info_path) as f:
        info = json.load(f)
    digest = sha256(ckpt)
    if digest != info['sha256']:
        raise DemoError(
            f'the teacher {ckpt} is not the file {info_path} describes '
            f'(sha256 {digest}, recorded {info["sha256"]}): it was changed '
            'or damaged. Restore it (git checkout -- '
            f'{osp.relpath(ckpt, REPO)}), or train one with '
            '--train-teacher.')
    return info


def check_teacher_pools(teacher_data: Dict, data_seed: int) -> None:
    """Refuse a benchmark whose held-out digits the shipped teacher saw.

    The splits draw their digits from pools that depend on the data seed
    (:func:`gdkd_seg.demo.digits.digit_pools`); the shipped
    teacher was trained on the training pool of its own data seed.

    Raises:
        DemoError: a val or test digit of ``data_seed`` is in the
            teacher's training pool, or the teacher's data came from
            another version of the builder.
    """
    from .digits import BUILDER_VERSION, digit_pools
    if teacher_data.get('version') != BUILDER_VERSION:
        raise DemoError(
            'the shipped teacher was trained on data of builder version '
            f"{teacher_data.get('version')}, this is version "
            f'{BUILDER_VERSION}: train a teacher with --train-teacher')
    seen = set(digit_pools(teacher_data['seed'])['train'])
    pools = digit_pools(data_seed)
    leak = {split: len(seen.intersection(pools[split]))
            for split in ('val', 'test')}
    if any(leak.values()):
        raise DemoError(
            f'with --data-seed {data_seed} the shipped teacher (trained on '
            f"data seed {teacher_data['seed']}) has seen {leak['test']} of "
            f"the {len(pools['test'])} test digits and {leak['val']} of the "
            f"{len(pools['val'])} val digits: its scores, and what it "
            'teaches, would leak held-out digits. Add --train-teacher to '
            'train a teacher on this benchmark, or use --data-seed '
            f"{teacher_data['seed']}.")


def export_teacher(result: Dict, settings: Settings, data_meta: Dict,
                   ckpt: str) -> str:
    """Write the trained teacher's weights (plain data: tensors and the
    iteration, no optimizer state) and its record into
    ``<work_dir>/teacher_export/``; copying both into
    ``configs/demo/teacher/`` ships them. Returns that folder."""
    from gdkd_seg.checkpoint import (atomic_torch_save,
                                     load_mmengine_checkpoint)
    state = load_mmengine_checkpoint(ckpt, logger='silent')
    out = osp.join(settings.work_dir, 'teacher_export')
    os.makedirs(out, exist_ok=True)
    path = osp.join(out, osp.basename(TEACHER_CKPT))
    atomic_torch_save({'state_dict': dict(state['state_dict']),
                       'meta': dict(iter=int(state['meta'].get('iter', 0)))},
                      path)
    save_json(osp.join(out, osp.basename(TEACHER_INFO)), dict(
        config='configs/demo/plainnet32_teacher_digits.py',
        checkpoint='configs/demo/teacher/plainnet32_teacher_digits.pth',
        sha256=sha256(path),
        iters=settings.teacher_iters, seed=0, data=data_meta['args'],
        test_miou=result['test'], val_miou=result['val'],
        command='python tools/demo.py --train-teacher --export-teacher '
        '--methods baseline --seeds 0, then copy '
        '<work_dir>/teacher_export/* into configs/demo/teacher/'))
    return out


@contextmanager
def _lock(work: str) -> Iterator[None]:
    """One demo at a time in a work dir (two would overwrite each other's
    runs)."""
    path = osp.join(work, '.demo.lock')
    with open(path, 'a+') as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            raise DemoError(f'another demo is running in {work} (pid '
                            f'{f.read().strip() or "?"})') from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def pairing_check(results: Dict[str, Dict], seeds: Sequence[int],
                  methods: Sequence[str]) -> Dict[str, Dict]:
    """Per seed: whether every method's run started from the same student
    weights, saw the same batches and drew the same random numbers as
    the first method's (from each run's pairing record)."""
    out = {}
    for seed in seeds:
        records = {m: (results[f'{m} s{seed}'].get('pairing') or {})
                   for m in methods}
        first = records[methods[0]]
        differ = {m: sorted(k for k in ('init', 'batches', 'rng')
                            if rec.get(k) != first.get(k))
                  for m, rec in records.items()}
        differ = {m: keys for m, keys in differ.items() if keys}
        out[str(seed)] = dict(paired=not differ and bool(first),
                              differ=differ)
    return out


def run_demo(settings: Settings, export: bool = False,
             stream=None) -> Dict:
    """The whole demo; returns the ``results.json`` content.

    Raises:
        DemoError: refused before any run (see :class:`DemoError`).
    """
    settings.check()
    os.makedirs(settings.work_dir, exist_ok=True)
    with _lock(settings.work_dir):
        return _run_demo(settings, export, stream)


def _run_demo(settings: Settings, export: bool, stream) -> Dict:
    from .digits import build_demo_digits
    from .report import analysis_plan, analyse, sentences, tables

    start, load0 = time.time(), os.getloadavg()[0]
    work = settings.work_dir
    data_root = osp.join(work, 'data')
    say = Progress({}, stream=stream).print
    train_teacher = settings.train_teacher or export
    shipped = None
    if not train_teacher:  # refuse before any work
        shipped = verify_teacher(settings.teacher_ckpt, settings.teacher_info)
        check_teacher_pools(shipped['data'], settings.data['seed'])
    say(f'building the demo data in {data_root} ...')
    meta = build_demo_digits(data_root, **settings.data)
    args = meta['args']
    say(f"data: {args['n_train']} train / {args['n_val']} val / "
        f"{args['n_test']} held-out test images")
    plan = analysis_plan(settings.methods, settings.split)
    save_json(osp.join(work, 'analysis_plan.json'), dict(
        plan, seeds=list(settings.seeds), methods=list(settings.methods),
        written=time.strftime('%Y-%m-%d %H:%M:%S'), before_any_run=True))
    context = dict(data=dict(args=args, files_sha256=meta['files_sha256']),
                   versions=versions())
    options = _data_options(data_root)
    teacher_job = None
    if train_teacher:
        teacher_job = Job('teacher', TEACHER_CONFIG, 0,
                          settings.teacher_iters, osp.join(work, 'teacher'),
                          options, settings.split, dict(context))
        teacher_ckpt = teacher_checkpoint(teacher_job)
        teacher_sha = (sha256(teacher_ckpt) if not settings.force
                       and finished(teacher_job) else None)
        say(f'teacher: trained here ({settings.teacher_iters} iterations)')
    else:
        teacher_ckpt, teacher_sha = settings.teacher_ckpt, shipped['sha256']
        say(f'teacher: {osp.relpath(teacher_ckpt, REPO)} (sha256 '
            f'{teacher_sha[:12]}… matches teacher.json); its scores are '
            'measured on this data')
    jobs = _schedule(settings, teacher_ckpt, data_root,
                     dict(context, teacher_sha256=teacher_sha))
    if teacher_job is None:  # measure the shipped teacher on this data
        jobs.insert(0, Job('teacher', TEACHER_CONFIG, 0, 0,
                           osp.join(work, 'teacher_eval'),
                           dict(options, load_from=teacher_ckpt),
                           settings.split,
                           dict(context, teacher_sha256=teacher_sha)))
    cache = {}
    for job in ([teacher_job] if teacher_job else []) + jobs:
        job.context['config_sha256'] = config_sha256(job, cache)
    results = run_all(jobs, teacher_job, settings, stream)
    teacher = results['teacher s0']
    if train_teacher:
        teacher_sha = sha256(teacher_ckpt)
    if export:
        out = export_teacher(teacher, settings, meta, teacher_ckpt)
        say(f'teacher written to {out}; copy both files into '
            f'{osp.relpath(osp.dirname(TEACHER_CKPT), REPO)}/ to ship it')
    split = settings.split
    scores = {m: [results[f'{m} s{s}'][split] for s in settings.seeds]
              for m in settings.methods}
    val = {m: [results[f'{m} s{s}']['val'] for s in settings.seeds]
           for m in settings.methods}
    keys = [f'{m} s{s}' for s in settings.seeds for m in settings.methods]
    minutes = (time.time() - start) / 60
    extra = dict(
        settings=dict(iters=settings.iters,
                      teacher_iters=settings.teacher_iters,
                      teacher='trained' if train_teacher else 'shipped',
                      data=args, cfg_options=settings.cfg_options,
                      methods=list(settings.methods)),
        data_counts=dict(pixels=meta['pixel_counts'],
                         instances=meta['instance_counts']),
        pairing=pairing_check(results, settings.seeds, settings.methods),
        runs={k: dict(seconds=results[k]['seconds'],
                      cpu_seconds=results[k].get('cpu_seconds'))
              for k in ['teacher s0'] + keys},
        machine=machine(), jobs=settings.jobs, threads=settings.threads,
        versions=context['versions'], minutes=round(minutes, 2),
        load_average=[load0, os.getloadavg()[0]])
    teacher_entry = dict(
        test_miou=teacher['test'], val_miou=teacher['val'],
        measured_in_this_run=True, sha256=teacher_sha,
        source='trained here' if train_teacher else
        osp.relpath(teacher_ckpt, REPO))
    results_json = analyse(scores, settings.seeds, val, teacher_entry,
                           extra, split)
    lines = sentences(results_json)
    unpaired = [s for s, v in results_json['pairing'].items()
                if not v['paired']]
    if unpaired:
        lines.insert(0, 'WARNING: the runs of seed(s) '
                     f"{', '.join(unpaired)} are not paired (different "
                     'initial weights, batches or random numbers): the '
                     'paired intervals do not hold for them.')
    results_json['verdict'] = lines
    save_json(osp.join(work, 'results.json'), results_json)
    text = tables(results_json)
    data_name = ('the held-out test split' if split == 'test' else
                 'the validation split (design choices; test not '
                 'evaluated)')
    header = (f'Demo: seeds {list(settings.seeds)}, students '
              f"{settings.iters} iters, {args['n_train']}/{args['n_val']}/"
              f"{args['n_test']} train/val/test images; {machine()}, "
              f'{settings.jobs} job(s) x {settings.threads} thread(s); '
              f'{minutes:.1f} min (load average {load0:.1f} at start). '
              f'mIoU in % on {data_name}; paired Δ = method − '
              'baseline per seed (same initial weights and batches).\n\n')
    with open(osp.join(work, 'results.md'), 'w') as f:
        f.write(header + text + '\n' + '\n'.join(lines) + '\n')
    if settings.plots:
        _plots(results_json, settings, data_root, teacher_ckpt)
    out = stream or __import__('sys').stdout
    out.write('\n' + header + text + '\n' + '\n'.join(lines) + '\n')
    out.flush()
    return results_json


def _plots(results: Dict, settings: Settings, data_root: str,
           teacher_ckpt: str) -> None:
    from gdkd_seg.analysis import (predictions_from_configs,
                                   teacher_distribution_from_config)
    from .paired_plot import plot_paired_differences
    from .report import SHORT
    work = settings.work_dir

    def label(key: str) -> str:
        a, b = key.split('-')
        return f'{SHORT.get(a, a)}\n− {SHORT.get(b, b)}'

    rows = [(label(k) + '\n(primary)', dict(s, ci=s['holm']['ci'],
                                             primary=True))
            for k, s in results['primary'].items()]
    rows += [(label(k), s) for k, s in results['exploratory'].items()]
    if rows:
        split = ('held-out test' if results['split'] == 'test' else
                 'validation')
        plot_paired_differences(
            rows, osp.join(work, 'paired_differences.png'),
            unit=f"{split} mIoU (points)",
            # one clause a line: the figure is as narrow as 3 comparisons
            title=f'paired differences, {len(results["seeds"])} seeds\n'
            'primary: Holm-adjusted intervals (black)\n'
            'exploratory: unadjusted 95% intervals (grey)')
    options = _data_options(data_root)
    teacher_distribution_from_config(
        TEACHER_CONFIG, teacher_ckpt,
        osp.join(work, 'teacher_distribution.png'), k=3,
        cfg_options=options)
    seed = settings.seeds[0]
    grid = [('teacher', TEACHER_CONFIG, teacher_ckpt)]
    for name in ('baseline', 'gdkd', 'kd'):
        if name in settings.methods:
            grid.append((f'{name} (seed {seed})',
                         osp.join(CONFIGS, STUDENTS[name]),
                         osp.join(work, name, f'seed{seed}',
                                  f'iter_{settings.iters}.pth')))
    predictions_from_configs(grid[:4], osp.join(work, 'predictions.png'),
                             num_images=4, cfg_options=options)
