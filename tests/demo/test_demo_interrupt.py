"""A demo killed in the middle of its runs restarts cleanly: its worker
processes end with it (none goes on writing into the work dir), and the
same command then finishes every run from an empty run directory."""
import glob
import json
import os
import signal
import subprocess
import sys
import time

from tests.conftest import REPO, run_tool

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
    run_tool(*ARGS, '--work-dir', str(work), timeout=900)
    res = json.loads((work / 'results.json').read_text())
    assert res['pairing']['0']['paired']
    for method in ('baseline', 'gdkd'):
        run = work / method / 'seed0'
        # one MMEngine log dir: nothing of the killed run is left
        assert len(list(run.glob('2*'))) == 1, method
        assert json.loads((run / 'result.json').read_text())['test'] >= 0
