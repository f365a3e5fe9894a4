"""The offline demo, end to end: data, teacher, paired students, held-out
evaluation, statistics, tables and plots (``tools/demo.py`` is its CLI)."""
import json
import multiprocessing as mp
import os
import os.path as osp
import platform
import queue as queue_lib
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from .jobs import Job, finished, run_job
from .progress import Progress

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs', 'demo')
TEACHER_CONFIG = osp.join(CONFIGS, 'plainnet32_teacher_digits.py')
# the shipped teacher and what it scored (tools/demo.py --train-teacher
# retrains one; `python tools/demo.py --export-teacher` regenerates these)
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
# iterations: CI); README "Demo" says how the full one was chosen
DEFAULTS = dict(
    full=dict(seeds=[0, 1, 2, 3], iters=500, teacher_iters=3000,
              data=dict(n_train=300, n_val=100, n_test=1000)),
    quick=dict(seeds=[0, 1], iters=4, teacher_iters=8,
               data=dict(n_train=16, n_val=4, n_test=8)))


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
        fields = dict(DEFAULTS['quick' if quick else 'full'],
                      methods=list(STUDENTS))
        fields['data'] = dict(fields['data'], seed=data_seed)
        fields.update({k: v for k, v in changes.items() if v is not None})
        return cls(**fields)


def _data_options(root: str) -> Dict:
    return {f'{k}_dataloader.dataset.data_root': root
            for k in ('train', 'val', 'test')}


def _init_worker(messages, threads: int, log: str) -> None:
    # imports warn on stderr: into the workers' log, not the progress
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(out, 1)
    os.dup2(out, 2)
    import torch
    torch.set_num_threads(threads)
    import gdkd_seg.demo  # noqa: F401  (registrations)
    global _SEND
    _SEND = messages.put


def _work(job: Job) -> Dict:
    return run_job(job, _SEND)


def _schedule(settings: Settings, teacher_ckpt: Optional[str],
              data_root: str) -> List[Job]:
    jobs = []
    for seed in settings.seeds:  # a seed's runs finish together
        for name in settings.methods:
            options = dict(_data_options(data_root), **settings.cfg_options)
            if name != 'baseline':
                options['model.teacher_ckpt'] = teacher_ckpt
            jobs.append(Job(name, osp.join(CONFIGS, STUDENTS[name]), seed,
                            settings.iters,
                            osp.join(settings.work_dir, name, f'seed{seed}'),
                            options))
    return jobs


def run_all(jobs: List[Job], teacher_job: Optional[Job], settings: Settings,
            progress_stream=None) -> Dict[str, Dict]:
    """Run ``jobs`` (after ``teacher_job`` where they need a teacher) on
    ``settings.jobs`` worker processes; returns ``{job key: result}``."""
    todo = ([teacher_job] if teacher_job else []) + jobs
    results = {}
    cost = {j.key: COST.get(j.name, DISTILLED_COST) for j in todo}
    progress = Progress({j.key: j.iters for j in todo}, cost,
                        stream=progress_stream)
    for job in todo:
        if not settings.force and finished(job):
            results[job.key] = finished(job)
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
    with ProcessPoolExecutor(settings.jobs, mp_context=ctx,
                             initializer=_init_worker,
                             initargs=(messages, settings.threads,
                                       osp.join(settings.work_dir,
                                                'workers.log'))) as pool:
        running = {}

        def submit(job: Job) -> None:
            running[pool.submit(_work, job)] = job

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
                    _, key, step = messages.get_nowait()
                except queue_lib.Empty:
                    break
                if key in progress.total:
                    progress.update(key, step)
            for future in done:
                job = running.pop(future)
                result = future.result()  # re-raises a failed run
                results[job.key] = result
                progress.done(job.key, f"{job.key}: test mIoU "
                              f"{result['test']:.2f} (val "
                              f"{result['val']:.2f}), {result['seconds']:.0f}"
                              ' s')
                if job is teacher_job:
                    for waiting in queued:
                        submit(waiting)
                    queued = []
            progress.draw()
    return results


def sha256(path: str) -> str:
    import hashlib
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def machine() -> str:
    return (f'{platform.machine()} {os.cpu_count()}-core '
            f'{platform.system()}, Python {platform.python_version()}')


def save_json(path: str, data: Dict) -> None:
    with open(path, 'w') as f:
        json.dump(data, f, indent=1, default=float)


def export_teacher(result: Dict, settings: Settings, data_meta: Dict,
                   ckpt: str) -> None:
    """Write the trained teacher's weights (no optimizer state) and what
    it scored next to the demo configs, for later runs to reuse."""
    import torch
    state = torch.load(ckpt, map_location='cpu', weights_only=False)
    os.makedirs(osp.dirname(TEACHER_CKPT), exist_ok=True)
    torch.save({'state_dict': state['state_dict'],
                'meta': dict(iter=state['meta'].get('iter'))}, TEACHER_CKPT)
    save_json(TEACHER_INFO, dict(
        config='configs/demo/plainnet32_teacher_digits.py',
        checkpoint='configs/demo/teacher/plainnet32_teacher_digits.pth',
        sha256=sha256(TEACHER_CKPT),
        iters=settings.teacher_iters, seed=0, data=data_meta['args'],
        test_miou=result['test'], val_miou=result['val'],
        command='python tools/demo.py --train-teacher --export-teacher '
        '--methods baseline --seeds 0'))


def run_demo(settings: Settings, export: bool = False,
             stream=None) -> Dict:
    """The whole demo; returns the ``results.json`` content."""
    from .digits import build_demo_digits
    from .report import analyse, sentences, tables

    start, load0 = time.time(), os.getloadavg()[0]
    work = settings.work_dir
    os.makedirs(work, exist_ok=True)
    data_root = osp.join(work, 'data')
    say = Progress({}, stream=stream).print
    say(f'building the demo data in {data_root} ...')
    meta = build_demo_digits(data_root, **settings.data)
    args = meta['args']
    say(f"data: {args['n_train']} train / {args['n_val']} val / "
        f"{args['n_test']} held-out test images")

    teacher_job = None
    if settings.train_teacher or export:
        teacher_job = Job('teacher', TEACHER_CONFIG, 0,
                          settings.teacher_iters, osp.join(work, 'teacher'),
                          _data_options(data_root))
        teacher_ckpt = osp.join(work, 'teacher',
                                f'iter_{settings.teacher_iters}.pth')
    else:
        teacher_ckpt = TEACHER_CKPT
        with open(TEACHER_INFO) as f:
            shipped = json.load(f)
        say(f"teacher: the shipped {osp.relpath(TEACHER_CKPT, REPO)} "
            f"(test mIoU {shipped['test_miou']:.2f} on the default data)")
    jobs = _schedule(settings, teacher_ckpt, data_root)
    if teacher_job is None and args != shipped['data']:
        # another benchmark than the shipped teacher's: measure it there
        jobs.insert(0, Job('teacher', TEACHER_CONFIG, 0, 0,
                           osp.join(work, 'teacher_eval'),
                           dict(_data_options(data_root),
                                load_from=TEACHER_CKPT)))
    results = run_all(jobs, teacher_job, settings, stream)
    if teacher_job is not None:
        teacher = results[teacher_job.key]
        if export:
            export_teacher(teacher, settings, meta, teacher_ckpt)
            say(f'teacher written to {TEACHER_CKPT}')
    else:
        teacher = results.get('teacher s0', dict(
            test=shipped['test_miou'], val=shipped['val_miou']))
    test = {m: [results[f'{m} s{s}']['test'] for s in settings.seeds]
            for m in settings.methods}
    val = {m: [results[f'{m} s{s}']['val'] for s in settings.seeds]
           for m in settings.methods}
    minutes = (time.time() - start) / 60
    extra = dict(settings=dict(
        iters=settings.iters, teacher_iters=settings.teacher_iters,
        teacher='trained' if teacher_job else 'shipped',
        data=args, cfg_options=settings.cfg_options),
        data_counts=dict(pixels=meta['pixel_counts'],
                         instances=meta['instance_counts']),
        machine=machine(), jobs=settings.jobs, threads=settings.threads,
        minutes=round(minutes, 2), load_average=[load0,
                                                 os.getloadavg()[0]])
    results_json = analyse(test, settings.seeds, val,
                           dict(test_miou=teacher['test'],
                                val_miou=teacher['val']), extra)
    save_json(osp.join(work, 'results.json'), results_json)
    text = tables(results_json)
    lines = sentences(results_json)
    header = (f'Demo: seeds {list(settings.seeds)}, students '
              f"{settings.iters} iters, {args['n_train']}/{args['n_val']}/"
              f"{args['n_test']} train/val/test images; {machine()}, "
              f'{settings.jobs} job(s) x {settings.threads} thread(s); '
              f'{minutes:.1f} min (load average {load0:.1f} at start). '
              'mIoU in % on the held-out test split; paired Δ = method − '
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
    from .report import NAMES
    work = settings.work_dir
    rows = [(NAMES.get(m, m), e['paired_vs_baseline'])
            for m, e in results['methods'].items()
            if m != 'baseline' and 'paired_vs_baseline' in e]
    for key, stats in results['comparisons'].items():
        a, b = key.split('-')
        rows.append((f'{NAMES.get(a, a)}\n− {NAMES.get(b, b)}', stats))
    if rows:
        plot_paired_differences(
            rows, osp.join(work, 'paired_differences.png'),
            title=f'paired differences on the held-out test split, '
            f'{len(results["seeds"])} seeds (mean, 95% t-interval)')
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
