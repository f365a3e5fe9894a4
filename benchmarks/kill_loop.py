"""Kill loop: a tiny distillation run SIGKILLed at random moments, then
resumed, many times (docs "Resume a killed run").

Each iteration trains ``tests/configs/tiny_gdkd.py`` for 6 iterations
with a checkpoint at every iteration, alternately with
``max_keep_ckpts=1`` and with ``save_best='mIoU'`` (validation at every
iteration). The run is SIGKILLed once or twice, a third of the kills
while a checkpoint is being written (a temporary checkpoint file
exists), the others at a random time after training started; then
``tools/train.py --resume`` (no file) runs until the run finishes.
Checked every time: every checkpoint file in the work dir loads with a
plain ``torch.load`` (nothing cut short, nothing that is not plain data),
the resume starts from the newest complete checkpoint, the run finishes,
and (``max_keep_ckpts=1`` runs, which validate only at the end) the
finished run's weights and optimizer state equal an uninterrupted run's,
bitwise; for ``save_best`` runs bitwise equality is recorded, not
required (see ``iteration``).

    PYTHONPATH=. python benchmarks/kill_loop.py --iterations 30

Prints one JSON line per iteration and a SUMMARY line. CPU only, one
intra-op thread; about 30 s per iteration on a 2-core VM.
"""
import argparse
import glob
import json
import os
import os.path as osp
import random
import re
import shutil
import signal
import subprocess
import sys
import time

import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
ITERS = 6
MODES = {
    'max_keep_ckpts=1': ['default_hooks.checkpoint.max_keep_ckpts=1',
                         f'train_cfg.val_interval={ITERS}'],
    'save_best': ['default_hooks.checkpoint.save_best=mIoU',
                  'default_hooks.checkpoint.rule=greater',
                  'train_cfg.val_interval=1'],
}


def command(root, work, mode):
    return [sys.executable, 'tools/train.py', 'tests/configs/tiny_gdkd.py',
            '--work-dir', work, '--cfg-options',
            f'model.teacher_ckpt={root}/teacher.pth',
            f'train_cfg.max_iters={ITERS}',
            'default_hooks.checkpoint.interval=1',
            f'param_scheduler.0.end={ITERS}', 'randomness.seed=0',
            'randomness.deterministic=True', *MODES[mode]]


def run(root, work, mode, resume=False, kill=None):
    """Run tools/train.py. ``kill=('save', k)``: SIGKILL when the k-th
    temporary checkpoint file appears; ``('time', t)``: t seconds after
    the first training iteration is logged."""
    env = dict(os.environ, GDKD_TINY_DATA=f'{root}/city',
               OMP_NUM_THREADS='1',
               PYTHONPATH=os.pathsep.join(
                   filter(None, [REPO, os.environ.get('PYTHONPATH')])))
    log_path = osp.join(root, 'last.log')
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(
            command(root, work, mode) + (['--resume'] if resume else []),
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        killed, seen, started, checked = None, set(), None, 0.0
        while proc.poll() is None:
            now = time.time()
            if kill and kill[0] == 'save':
                temps = set(glob.glob(osp.join(work, '.*.tmp-*')))
                seen |= temps
                if temps and len(seen) >= kill[1]:
                    proc.send_signal(signal.SIGKILL)
                    killed = f'during the save of {sorted(temps)[-1]}'
            elif kill:
                if started is None and now - checked > 0.05:
                    checked = now
                    with open(log_path) as f:
                        if 'Iter(train)' in f.read():
                            started = now
                if started is not None and now - started >= kill[1]:
                    proc.send_signal(signal.SIGKILL)
                    killed = f'{kill[1]:.2f} s after the first iteration'
            time.sleep(0.003)
    with open(log_path) as f:
        return proc.wait(), killed, f.read()


def newest_complete(work):
    """Load every checkpoint file plainly; the highest iter_N."""
    steps = []
    for path in sorted(glob.glob(osp.join(work, '*.pth'))):
        torch.load(path)  # raises on a file cut short or not plain
        found = re.fullmatch(r'iter_(\d+)\.pth', osp.basename(path))
        if found:
            steps.append(int(found.group(1)))
    return max(steps) if steps else None


def same_result(a, b):
    a, b = torch.load(a), torch.load(b)
    weights = all(torch.equal(v, b['state_dict'][k])
                  for k, v in a['state_dict'].items())
    optimizer = all(torch.equal(v, b['optimizer']['state'][i][k])
                    for i, s in a['optimizer']['state'].items()
                    for k, v in s.items())
    return weights and optimizer


def iteration(root, i, mode, rng, reference):
    work = osp.join(root, 'work')
    shutil.rmtree(work, ignore_errors=True)
    record = dict(i=i, mode=mode, kills=[], resumes=[], ok=False)
    try:
        resume = False
        for attempt in range(3):
            kill = None
            if attempt == 0 or (attempt == 1 and rng.random() < 0.5):
                kill = (('save', rng.randint(1, ITERS))
                        if rng.random() < 1 / 3 else
                        ('time', rng.uniform(0, 4.0)))
            expected = newest_complete(work) if resume else None
            rc, killed, out = run(root, work, mode, resume, kill)
            if resume:
                got = re.search(r'resumed epoch: \d+, iter: (\d+)', out)
                got = int(got.group(1)) if got else None
                record['resumes'].append([expected, got])
                assert got == expected, f'resumed at {got}, not {expected}'
            if killed:
                record['kills'].append(killed)
                resume = True
                continue
            assert rc == 0, out[-3000:]
            break
        newest_complete(work)
        record['bitwise'] = same_result(
            osp.join(work, f'iter_{ITERS}.pth'), reference)
        # with a validation after every checkpoint (save_best mode), a
        # checkpoint saved before a validation holds the random states of
        # before it, and the resumed run does not replay the validation's
        # draw from torch's generator (docs "Resume a killed run")
        assert record['bitwise'] or mode == 'save_best', \
            'differs from the uninterrupted run'
        record['files'] = sorted(
            osp.basename(p) for p in glob.glob(osp.join(work, '*.pth')))
        record['ok'] = True
    except AssertionError as err:
        record['error'] = str(err)[-3000:]
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iterations', type=int, default=30)
    parser.add_argument('--root', default='/tmp/gdkd_kill_loop')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    sys.path.insert(0, REPO)
    from tests.conftest import make_tiny_cityscapes, make_tiny_teacher_ckpt
    os.makedirs(args.root, exist_ok=True)
    if not osp.isdir(osp.join(args.root, 'city')):
        make_tiny_cityscapes(osp.join(args.root, 'city'))
        make_tiny_teacher_ckpt(osp.join(args.root, 'teacher.pth'))
    references = {}
    for mode in MODES:
        ref = osp.join(args.root, f'reference_{len(references)}')
        shutil.rmtree(ref, ignore_errors=True)
        rc, _, out = run(args.root, ref, mode)
        assert rc == 0, out[-3000:]
        references[mode] = osp.join(ref, f'iter_{ITERS}.pth')
    rng = random.Random(args.seed)
    records = []
    for i in range(args.iterations):
        mode = list(MODES)[i % len(MODES)]
        records.append(iteration(args.root, i, mode, rng, references[mode]))
        print(json.dumps(records[-1]), flush=True)
    kills = [k for r in records for k in r['kills']]
    ok = sum(r['ok'] for r in records)
    bitwise = {}
    for mode in MODES:
        runs = [r for r in records if r['mode'] == mode]
        bitwise[mode] = f"{sum(r.get('bitwise', False) for r in runs)}/" \
            f'{len(runs)}'
    print(f'SUMMARY iterations={len(records)} ok={ok} '
          f'failed={len(records) - ok} bitwise={bitwise} kills={len(kills)} '
          f'kills_during_save={sum(k.startswith("during") for k in kills)} '
          f'resumes={sum(len(r["resumes"]) for r in records)}')


if __name__ == '__main__':
    main()
