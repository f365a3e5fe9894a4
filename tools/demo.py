"""The offline demo, end to end, with one command.

Builds the demo benchmark (real handwritten digits on real photos, shipped
with scikit-learn / scikit-image; Cityscapes layout), trains the teacher,
trains the undistilled student and the KD / DKD / GDKD / GDKD+LS students
for every seed with ``tools/train.py``, evaluates every model with
``tools/test.py``, and writes ``results.md`` / ``results.csv`` and the
plots under the work directory. Runs that already finished are reused
(``--force`` redoes them).

    python tools/demo.py            # 3 seeds, ~17 min on 2 CPU cores
    python tools/demo.py --quick    # 1 seed, a few iterations (CI)
"""
import argparse
import datetime
import os
import os.path as osp
import platform
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = osp.join(REPO, 'configs', 'demo')
TEACHER = 'plainnet32_teacher_digits.py'
# run name -> demo config; the table keeps this order
STUDENTS = {
    'baseline': 'plainnet16_baseline_digits.py',
    'kd': 'kd_plainnet32_to_plainnet16_digits.py',
    'dkd': 'dkd_plainnet32_to_plainnet16_digits.py',
    'gdkd': 'gdkd_plainnet32_to_plainnet16_digits.py',
    'gdkd_ls': 'gdkd_plainnet32_to_plainnet16_ls_digits.py',
}
# (full, quick) sizes
DATA = dict(full=dict(n_train=300, n_val=100), quick=dict(n_train=32,
                                                          n_val=8))
ITERS = dict(full=(1000, 500), quick=(8, 4))  # (teacher, students)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Offline distillation demo: data, teacher, students, '
        'evaluation, results table and plots')
    parser.add_argument('--quick', action='store_true',
                        help='1 seed, tiny data, a few iterations (CI)')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help='training seeds (default 0 1 2; quick: 0)')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='where data, runs, table and plots go')
    parser.add_argument('--methods', nargs='+', choices=list(STUDENTS),
                        default=list(STUDENTS), help='students to train')
    parser.add_argument('--iters', type=int,
                        help="student iterations (default 500; quick: 4)")
    parser.add_argument('--teacher-iters', type=int,
                        help="teacher iterations (default 1000; quick: 8)")
    parser.add_argument('--data-seed', type=int, default=0,
                        help='seed of the generated benchmark')
    parser.add_argument('--jobs', type=int, default=2,
                        help='trainings run side by side')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads per training (1 is fastest '
                        'for these tiny models, and on a busy machine)')
    parser.add_argument('--force', action='store_true',
                        help='redo runs that already finished')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='extra key=value overrides for the students')
    return parser.parse_args()


class Progress:
    """Numbered, timed progress lines on stdout."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.start = total, 0, time.time()
        self.lock = threading.Lock()  # jobs report from several threads

    def __call__(self, msg: str, step: bool = True) -> None:
        with self.lock:
            self.done += step
            elapsed = datetime.timedelta(
                seconds=int(time.time() - self.start))
            print(f'[{self.done:>2}/{self.total}] {elapsed} {msg}',
                  flush=True)


def _tool(args: list, log_file: str, threads: int) -> None:
    """Run ``python tools/<...>`` from the repo root; its output goes to
    ``log_file`` (raised with the log's tail if it fails)."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    env['PYTHONPATH'] = os.pathsep.join(
        [REPO, env.get('PYTHONPATH', '')]).rstrip(os.pathsep)
    os.makedirs(osp.dirname(log_file), exist_ok=True)
    with open(log_file, 'w') as log:
        proc = subprocess.run([sys.executable, *args], cwd=REPO, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_file) as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f'{" ".join(args[:2])} failed '
                           f'({proc.returncode}); see {log_file}:\n{tail}')


def _last_checkpoint(work_dir: str) -> str:
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        path = f.read().strip()
    return path if osp.isabs(path) else osp.join(REPO, path)


def _tested(work_dir: str) -> bool:
    from gdkd_seg.analysis.results import read_run
    return (osp.isfile(osp.join(work_dir, 'last_checkpoint'))
            and read_run(work_dir, with_params=False).test is not None)


def train_and_test(config: str, work_dir: str, options: list, threads: int,
                   force: bool) -> float:
    """``tools/train.py`` then ``tools/test.py`` on the last checkpoint;
    returns the test metric."""
    from gdkd_seg.analysis.results import read_run
    if force or not _tested(work_dir):
        cfg = osp.join(CONFIGS, config)
        _tool(['tools/train.py', cfg, '--work-dir', work_dir,
               '--cfg-options', *options], osp.join(work_dir, 'train.out'),
              threads)
        _tool(['tools/test.py', cfg, _last_checkpoint(work_dir),
               '--work-dir', work_dir, '--cfg-options', *options],
              osp.join(work_dir, 'test.out'), threads)
    return read_run(work_dir, with_params=False).test


def main() -> None:
    args = parse_args()
    mode = 'quick' if args.quick else 'full'
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    t_iters = args.teacher_iters or ITERS[mode][0]
    s_iters = args.iters or ITERS[mode][1]
    work_dir = osp.abspath(args.work_dir)
    data_root = osp.join(work_dir, 'data')
    jobs = max(1, args.jobs)
    threads = max(1, args.threads)
    n_runs = len(seeds) * len(args.methods)
    progress = Progress(total=2 + n_runs + 1)
    t0, load0 = time.time(), os.getloadavg()[0]

    import gdkd_seg  # noqa: F401  (after argparse: --help stays fast)
    from gdkd_seg.analysis import (predictions_from_configs, read_run,
                                   summarize, teacher_distribution_from_config,
                                   to_csv, to_markdown)
    from gdkd_seg.datasets import build_demo_digits

    progress(f'building the demo data ({mode}) in {data_root}', step=False)
    meta = build_demo_digits(data_root, seed=args.data_seed, **DATA[mode])
    progress(f"data ready: {meta['args']['n_train']} train / "
             f"{meta['args']['n_val']} val images")

    data_opts = [f'{k}_dataloader.dataset.data_root={data_root}'
                 for k in ('train', 'val', 'test')]

    def schedule(iters: int) -> list:
        val = max(iters // 3, 1)
        return [f'train_cfg.max_iters={iters}',
                f'train_cfg.val_interval={val}',
                f'param_scheduler.0.end={iters}',
                f'default_hooks.checkpoint.interval={iters}',
                f'default_hooks.logger.interval={min(25, iters)}']

    teacher_dir = osp.join(work_dir, 'teacher')

    def teacher() -> str:
        progress(f'training the teacher ({t_iters} iters) ...', step=False)
        miou = train_and_test(TEACHER, teacher_dir,
                              data_opts + schedule(t_iters) +
                              ['randomness.seed=0'], threads, args.force)
        progress(f'teacher: test mIoU {miou:.2f}')
        return _last_checkpoint(teacher_dir)

    def student(method: str, seed: int, teacher_job) -> None:
        run_dir = osp.join(work_dir, method, f'seed{seed}')
        options = data_opts + schedule(s_iters) + [f'randomness.seed={seed}']
        if method != 'baseline':  # a plain segmentor has no teacher
            options.append(f'model.teacher_ckpt={teacher_job.result()}')
        progress(f'training {method} seed {seed} ...', step=False)
        miou = train_and_test(STUDENTS[method], run_dir,
                              options + list(args.cfg_options), threads,
                              args.force)
        progress(f'{method} seed {seed}: test mIoU {miou:.2f}')

    # baselines need no teacher: they train while the teacher does
    todo = sorted(((m, s) for s in seeds for m in args.methods),
                  key=lambda ms: ms[0] != 'baseline')
    with ThreadPoolExecutor(jobs) as pool:
        teacher_job = pool.submit(teacher)
        jobs_ = [pool.submit(student, m, s, teacher_job) for m, s in todo]
        for job in [teacher_job] + jobs_:
            job.result()  # re-raise a failure
    teacher_ckpt = teacher_job.result()

    runs = [read_run(teacher_dir)]
    runs += [read_run(osp.join(work_dir, m, f'seed{s}'))
             for m in args.methods for s in seeds]
    rows = summarize(runs, baseline='baseline'
                     if 'baseline' in args.methods else None)
    minutes = (time.time() - t0) / 60
    header = (
        f'Demo ({mode}): seeds {seeds}, teacher {t_iters} iters, students '
        f'{s_iters} iters, {meta["args"]["n_train"]}/'
        f'{meta["args"]["n_val"]} train/val images; '
        f'{platform.processor() or platform.machine()}, '
        f'{os.cpu_count()} CPU cores, {jobs} job(s) x {threads} thread(s); '
        f'{minutes:.1f} min (load average {load0:.1f} at start, '
        f'{os.getloadavg()[0]:.1f} at end; finished runs are reused).\n'
        'mIoU in %; mean ± sample std over seeds; test = tools/test.py on '
        'the last checkpoint.\n\n')
    table = to_markdown(rows)
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(header + table)
    with open(osp.join(work_dir, 'results.csv'), 'w') as f:
        f.write(to_csv(rows))

    teacher_cfg = osp.join(CONFIGS, TEACHER)
    cfg_options = {f'{k}_dataloader.dataset.data_root': data_root
                   for k in ('train', 'val', 'test')}
    plots = [
        teacher_distribution_from_config(
            teacher_cfg, teacher_ckpt,
            osp.join(work_dir, 'teacher_distribution.png'),
            k=3, cfg_options=cfg_options)
    ]
    grid = [('teacher', teacher_cfg, teacher_ckpt)]
    for method in ('baseline', 'gdkd', 'kd'):
        if method in args.methods:
            run = osp.join(work_dir, method, f'seed{seeds[0]}')
            grid.append((f'{method} (seed {seeds[0]})',
                         osp.join(CONFIGS, STUDENTS[method]),
                         _last_checkpoint(run)))
    plots.append(predictions_from_configs(
        grid[:4], osp.join(work_dir, 'predictions.png'), num_images=4,
        cfg_options=cfg_options))
    progress('results and plots written')
    print('\n' + header + table)
    for path in ('results.md', 'results.csv'):
        print(osp.join(work_dir, path))
    print('\n'.join(plots))


if __name__ == '__main__':
    main()
