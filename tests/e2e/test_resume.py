"""A training run killed mid-way and resumed with ``--resume`` ends where
an uninterrupted run ends: same student weights, optimizer state and
iteration count, bitwise (CPU, MMEngine's deterministic mode)."""
import os
import signal
import subprocess
import sys
import time

import torch

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from tests.conftest import REPO, run_tool

CONFIG = str(REPO / 'tests' / 'configs' / 'tiny_gdkd.py')
ITERS = 6


def train_args(work_dir, teacher_ckpt):
    # dropout (decode head) and random flips are on: both random streams
    # must continue exactly after the resume
    return [
        'tools/train.py', CONFIG, '--work-dir', str(work_dir),
        '--eval-teacher', '--cfg-options',
        f'model.teacher_ckpt={teacher_ckpt}',
        f'train_cfg.max_iters={ITERS}', f'train_cfg.val_interval={ITERS}',
        'default_hooks.checkpoint.interval=2',
        f'param_scheduler.0.end={ITERS}', 'randomness.seed=0',
        'randomness.deterministic=True'
    ]


def kill_after_checkpoint(args, env, work_dir, timeout=600):
    """Start ``python args`` and SIGKILL it once a checkpoint is complete
    (MMEngine writes ``last_checkpoint`` after the file)."""
    full_env = dict(os.environ, **env)
    full_env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO), full_env.get('PYTHONPATH', '')])
    proc = subprocess.Popen([sys.executable, *args], cwd=REPO,
                            env=full_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    marker = work_dir / 'last_checkpoint'
    start = time.time()
    try:
        while not marker.exists():
            assert proc.poll() is None, 'training ended before the kill'
            assert time.time() - start < timeout, 'no checkpoint in time'
            time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    return marker.read_text().strip()


def load(path):
    return load_mmengine_checkpoint(str(path), logger='silent')


def test_killed_and_resumed_run_equals_uninterrupted(
        tmp_path, tiny_cityscapes, tiny_teacher_ckpt):
    # one intra-op thread: oneDNN's multi-threaded reductions may split
    # work differently from run to run, which changes the last bits
    env = {'GDKD_TINY_DATA': tiny_cityscapes, 'OMP_NUM_THREADS': '1'}
    full_dir, cut_dir = tmp_path / 'full', tmp_path / 'cut'
    run_tool(*train_args(full_dir, tiny_teacher_ckpt), env=env)
    killed_at = kill_after_checkpoint(
        train_args(cut_dir, tiny_teacher_ckpt), env, cut_dir)
    assert not (cut_dir / f'iter_{ITERS}.pth').exists(), 'kill came late'
    print('killed after', killed_at)
    proc = run_tool(*train_args(cut_dir, tiny_teacher_ckpt), '--resume',
                    env=env)
    log = proc.stdout + proc.stderr
    assert 'resumed' in log.lower() and os.path.basename(killed_at) in log
    assert 'teacher metrics (cached in' in log

    full = load(full_dir / f'iter_{ITERS}.pth')
    cut = load(cut_dir / f'iter_{ITERS}.pth')
    assert full['meta']['iter'] == cut['meta']['iter'] == ITERS
    assert full['state_dict'].keys() == cut['state_dict'].keys()
    for key, value in full['state_dict'].items():
        assert torch.equal(value, cut['state_dict'][key]), key
    opt_full, opt_cut = full['optimizer'], cut['optimizer']
    assert opt_full['param_groups'] == opt_cut['param_groups']
    for idx, state in opt_full['state'].items():
        for name, value in state.items():
            assert torch.equal(value, opt_cut['state'][idx][name]), (idx,
                                                                     name)
    assert full['param_schedulers'] == cut['param_schedulers']
    assert full['rng_state']['torch'].equal(cut['rng_state']['torch'])
