"""tools/slurm_train.sh and tools/slurm_test.sh as a cluster runs them,
on one machine: a stub ``srun`` (tests/tools/slurm_stub) starts the tasks
here with Slurm's variables, so MMEngine's ``--launcher slurm`` path and
our CPU handling of it (rank, world size and master from SLURM_PROCID,
SLURM_NTASKS, SLURM_LOCALID and ``scontrol show hostname
$SLURM_NODELIST``; gloo) run for real."""
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.e2e.test_distributed import free_port

STUB = REPO / 'tests' / 'tools' / 'slurm_stub'
CFG = 'tests/configs/tiny_gdkd.py'


def slurm(script, *args, env):
    proc = subprocess.run(['bash', f'tools/{script}', *args], cwd=REPO,
                          env=env, capture_output=True, text=True,
                          timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-6000:]
    return log


def test_slurm_train_and_test_with_a_stub_srun(tmp_path, tiny_cityscapes,
                                               tiny_teacher_ckpt):
    env = dict(os.environ, PATH=f"{STUB}{os.pathsep}{os.environ['PATH']}",
               GPUS='2', GPUS_PER_NODE='2', CPUS_PER_TASK='1',
               MASTER_PORT=str(free_port()), PYTHON=sys.executable,
               GDKD_TINY_DATA=tiny_cityscapes,
               SRUN_STUB_LOG=str(tmp_path / 'srun.log'))
    env.pop('MASTER_ADDR', None)  # must come from scontrol
    env.pop('WORLD_SIZE', None)
    work = tmp_path / 'work'
    log = slurm('slurm_train.sh', 'debug', 'tinyjob', CFG, '--work-dir',
                str(work), '--cfg-options',
                f'model.teacher_ckpt={tiny_teacher_ckpt}',
                'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
                'default_hooks.checkpoint.interval=2',
                'param_scheduler.0.end=2', env=env)
    assert ('distributed run (slurm launcher) on CPUs with the gloo '
            'backend (world size 2)') in log
    assert 'Iter(train) [2/2]' in log and 'mIoU' in log
    assert (work / 'iter_2.pth').is_file()
    given = (tmp_path / 'srun.log').read_text().split()
    assert given == ['partition=debug', '--job-name=tinyjob',
                     '--gres=gpu:2', '--ntasks=2', '--ntasks-per-node=2',
                     '--cpus-per-task=1', '--kill-on-bad-exit=1']
    log = slurm('slurm_test.sh', 'debug', 'tinytest', CFG,
                str(work / 'iter_2.pth'), '--work-dir',
                str(tmp_path / 'test'), env=env)
    assert 'gloo backend (world size 2)' in log and 'mIoU' in log


@pytest.mark.parametrize('given', [None, '', '/site/extra'])
@pytest.mark.parametrize('script,args', [
    ('slurm_train.sh', ['p', 'job', CFG]),
    ('slurm_test.sh', ['p', 'job', CFG, 'x.pth']),
    ('dist_train.sh', [CFG, '1']),
    ('dist_test.sh', [CFG, 'x.pth', '1']),
])
def test_scripts_put_no_empty_entry_in_pythonpath(tmp_path, script, args,
                                                  given):
    """An empty entry (``repo:`` when PYTHONPATH is unset or empty) would
    put the current directory ahead of site-packages. The interpreter
    here is a stand-in that records the PYTHONPATH it was given."""
    fake = tmp_path / 'python'
    fake.write_text('#!/bin/sh\nprintf "%s" "$PYTHONPATH" > "$SEEN"\n')
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f"{STUB}{os.pathsep}{os.environ['PATH']}",
               PYTHON=str(fake), SEEN=str(tmp_path / 'seen'), PORT='1',
               GPUS='1', GPUS_PER_NODE='1')
    env.pop('PYTHONPATH', None)
    if given is not None:
        env['PYTHONPATH'] = given
    subprocess.run(['bash', f'tools/{script}', *args], cwd=REPO, env=env,
                   capture_output=True, timeout=60, check=True)
    entries = (tmp_path / 'seen').read_text().split(os.pathsep)
    assert '' not in entries, entries
    assert entries[0] == 'tools/..'
    assert entries[1:] == ([given] if given else [])
