"""A training run killed mid-way and resumed with ``--resume`` ends where
an uninterrupted run ends: same student weights (CTKD's learned
temperature among them), optimizer and scheduler state, message hub,
random states and iteration count, bitwise (CPU, MMEngine's deterministic
mode), from checkpoints that are plain data."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from tests.checkpoint.test_plain_data import same
from tests.conftest import REPO, run_tool

# GDKD with CTKD's learned temperature (a parameter of the distiller)
CONFIG = str(REPO / 'tests' / 'configs' / 'tiny_ctkd_gdkd.py')
THETA = 'distill_losses.0.temperature.theta'
# message-hub entries that differ between any two runs: wall-clock times,
# the run's name (a time stamp), its work dir and config text
TIMING = ('train/time', 'train/data_time', 'eta', 'experiment_name',
          'last_ckpt', 'cfg')
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

    # plain data: torch's default loader reads what the runs wrote
    assert 'rng_state' in torch.load(cut_dir / f'iter_{ITERS}.pth')
    full = load(full_dir / f'iter_{ITERS}.pth')
    cut = load(cut_dir / f'iter_{ITERS}.pth')
    assert full['meta']['iter'] == cut['meta']['iter'] == ITERS
    assert THETA in full['state_dict']
    for key in ('state_dict', 'optimizer', 'param_schedulers',
                'rng_state'):
        same(full[key], cut[key], key)  # types, dtypes and bits
    assert cut['rng_state']['numpy'][1].dtype == np.uint32
    # the message hub: every logged history (the resumed run's came back
    # from the checkpoint and went on) and the runtime information
    hubs = [{part: {k: v for k, v in c['message_hub'][part].items()
                    if k not in TIMING}
             for part in ('log_scalars', 'runtime_info')}
            for c in (full, cut)]
    assert len(hubs[0]['log_scalars']) > 10
    assert all(type(b) is HistoryBuffer
               for b in hubs[1]['log_scalars'].values())
    assert len(hubs[1]['log_scalars']['train/loss']._log_history) == ITERS
    same(hubs[0], hubs[1], 'message_hub')
