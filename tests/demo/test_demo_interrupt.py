"""A demo killed in the middle of its runs restarts cleanly: its worker
processes end with it (none goes on writing into the work dir), and the
same run then finishes every run from an empty run directory, measuring
the teacher even when its record claims a score on this very data."""
import glob
import io
import json
import os
import signal
import subprocess
import sys
import time

from gdkd_seg.demo.pipeline import TEACHER_INFO, Settings, run_demo
from tests.conftest import REPO

ARGS = ['tools/demo.py', '--quick', '--methods', 'baseline', 'gdkd',
        '--seeds', '0', '--iters', '80', '--no-plots']


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False


def test_killed_demo_restarts_cleanly(tmp_path, sig=signal.SIGKILL):
    work = tmp_path / 'demo'
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO), os.environ.get('PYTHONPATH', '')]))
    # its own process group: the demo and its workers, nothing else
    proc = subprocess.Popen([sys.executable, *ARGS, '--work-dir', str(work)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 600
        training = []
        while not training and time.time() < deadline:
            time.sleep(0.2)
            training = [p for p in glob.glob(f'{work}/*/seed0/run.out')
                        if 'Iter(train)' in open(p).read()]
        assert training, 'no run started training'
        os.kill(proc.pid, sig)  # the main process only
        proc.wait(timeout=60)
        # a run had >= 60 iterations to go: only the workers' watch on
        # their parent ends them this soon
        stop = time.time() + 3
        while _alive(proc.pid) and time.time() < stop:
            time.sleep(0.1)
        assert not _alive(proc.pid), 'a worker outlived the demo'
    finally:
        if _alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    cut = [d for d in glob.glob(f'{work}/*/seed0')
           if not os.path.exists(f'{d}/result.json')]
    assert cut  # a run was cut short
    # the same run again (here in-process, as tools/demo.py makes it),
    # with a teacher record that claims a score on exactly this data
    record = json.loads(open(TEACHER_INFO).read())
    meta = json.loads((work / 'data' / 'meta.json').read_text())
    record.update(data=meta['args'], test_miou=99.0, val_miou=99.0)
    (tmp_path / 'teacher.json').write_text(json.dumps(record))
    res = run_demo(Settings(
        work_dir=str(work), seeds=[0], methods=['baseline', 'gdkd'],
        iters=80, data=dict(n_train=16, n_val=4, n_test=8, seed=0),
        teacher_iters=8, plots=False,
        teacher_info=str(tmp_path / 'teacher.json')), stream=io.StringIO())
    assert res['pairing']['0']['paired']
    measured = json.loads((work / 'teacher_eval' / 'result.json').read_text())
    assert res['teacher']['test_miou'] == measured['test'] != 99.0
    for method in ('baseline', 'gdkd'):
        run = work / method / 'seed0'
        # one MMEngine log dir: nothing of the killed run is left
        assert len(list(run.glob('2*'))) == 1, method
        assert json.loads((run / 'result.json').read_text())['test'] >= 0
