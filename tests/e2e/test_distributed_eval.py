"""tools/dist_test.sh with 2 CPU processes (gloo) gives the metrics of a
1-process tools/test.py run, and the end-of-run gloo drain is in place."""
import json
import os
import subprocess
import sys

import pytest

from gdkd_seg.engine.hooks.gloo_drain_hook import (GlooDrainHook,
                                                   drain_gloo_workers)
from tests.conftest import REPO, run_tool

TINY_GDKD = str(REPO / 'tests' / 'configs' / 'tiny_gdkd.py')


def test_drain_is_a_no_op_outside_a_gloo_group():
    assert drain_gloo_workers() is False
    GlooDrainHook().after_run(runner=None)  # nothing to drain, no error


def _metrics(work_dir):
    files = sorted(work_dir.glob('*/*.json'))
    return json.loads(files[-1].read_text().splitlines()[-1])


def test_two_process_test_matches_one_process(
        tmp_path, tiny_cityscapes, tiny_teacher_ckpt):
    env = {'GDKD_TINY_DATA': tiny_cityscapes}
    common = ['--cfg-options', f'model.teacher_ckpt={tiny_teacher_ckpt}']
    train = tmp_path / 'train'
    run_tool('tools/train.py', TINY_GDKD, '--work-dir', str(train), *common,
             env=env)
    ckpt = str(train / 'iter_4.pth')
    one, two = tmp_path / 'one', tmp_path / 'two'
    run_tool('tools/test.py', TINY_GDKD, ckpt, '--work-dir', str(one),
             env=env)
    proc = subprocess.run(
        ['bash', 'tools/dist_test.sh', TINY_GDKD, ckpt, '2', '--work-dir',
         str(two)], cwd=REPO, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHON=sys.executable, **env))  # no PORT: free
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-6000:]
    assert 'gloo backend (world size 2)' in log
    assert 'GlooDrainHook' in log  # registered for the test run
    a, b = _metrics(one), _metrics(two)
    for key in ('aAcc', 'mIoU', 'mAcc'):
        assert a[key] == pytest.approx(b[key], abs=0.01), key
