"""The tests' tool runs (tests/tool_process.py, forked from a server that
imported torch and MMEngine) see what ``python <script>`` would show
them: command line, ``sys.path``, environment, working directory, what is
imported, exit code and output; a run past its timeout is killed."""
import json
import os
import subprocess
import sys
import time
import types

import pytest

from tests import tool_process

PROBE = r'''
import json, os, sys
import torch
print('to stderr', file=sys.stderr)
print(json.dumps(dict(
    argv=sys.argv, path=sys.path[:3], cwd=os.getcwd(), name=__name__,
    file=globals().get('__file__'), env=os.environ.get('PROBE_VALUE'),
    other=os.environ.get('PROBE_OTHER'), threads=torch.get_num_threads(),
    ours=[m for m in ('gdkd_seg', 'mmseg', 'mmpretrain')
          if m in sys.modules])))
sys.exit(int(os.environ.get('PROBE_EXIT', '0')))
'''


def both(args, env, cwd):
    fresh = subprocess.run([sys.executable, *args], cwd=cwd, env=env,
                           capture_output=True, text=True, timeout=120)
    forked = tool_process.run_python(args, env, cwd, timeout=120)
    return fresh, forked


@pytest.mark.parametrize('exit_code', [0, 3])
def test_a_script_sees_what_python_script_shows(tmp_path, exit_code,
                                                monkeypatch):
    script = tmp_path / 'bin' / 'probe.py'
    script.parent.mkdir()
    script.write_text(PROBE)
    # the test process's own variables do not leak into the run
    monkeypatch.setenv('PROBE_OTHER', 'from the test process')
    env = dict(PATH=os.environ['PATH'], PROBE_VALUE='x y',
               PYTHONPATH=str(tmp_path / 'lib'), OMP_NUM_THREADS='1',
               PROBE_EXIT=str(exit_code))
    fresh, forked = both([str(script), 'a', '--b'], env, str(tmp_path))
    assert forked.returncode == fresh.returncode == exit_code
    assert forked.stdout == fresh.stdout
    seen = json.loads(forked.stdout)
    assert seen['argv'] == [str(script), 'a', '--b']
    assert seen['path'][:2] == [str(script.parent), str(tmp_path / 'lib')]
    assert seen['env'] == 'x y' and seen['other'] is None
    assert seen['threads'] == 1 and seen['ours'] == []
    assert 'to stderr' in forked.stderr


def test_dash_c_and_an_uncaught_error(tmp_path):
    env = dict(PATH=os.environ['PATH'], OMP_NUM_THREADS='2')
    fresh, forked = both(['-c', PROBE, 'x'], env, str(tmp_path))
    assert forked.returncode == fresh.returncode == 0
    assert forked.stdout == fresh.stdout
    assert json.loads(forked.stdout)['threads'] == 2
    fresh, forked = both(['-c', 'import sys; sys.exit("no way")'], env,
                         str(tmp_path))
    assert forked.returncode == fresh.returncode == 1
    assert forked.stderr.strip() == fresh.stderr.strip() == 'no way'
    fresh, forked = both(['-c', 'raise KeyError(42)'], env, str(tmp_path))
    assert forked.returncode == fresh.returncode == 1
    assert forked.stderr.splitlines()[-1] == 'KeyError: 42'


def test_a_run_past_its_timeout_is_killed(tmp_path):
    pid_file = tmp_path / 'pid'
    code = (f'import os, time; open({str(pid_file)!r}, "w").write('
            'str(os.getpid())); time.sleep(60)')
    start = time.time()
    with pytest.raises(subprocess.TimeoutExpired):
        tool_process.run_python(['-c', code], dict(os.environ),
                                str(tmp_path), timeout=8)
    assert time.time() - start < 30
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)
    # the server goes on serving
    done = tool_process.run_python(['-c', 'print("next")'],
                                   dict(os.environ), str(tmp_path), 30)
    assert done.stdout == 'next\n'


def test_both_answers_already_in_the_pipe_are_read(tmp_path):
    """A run that ends at once: the server's two lines (pid, exit code)
    reach the pipe together, and the second must not wait for more."""
    read, write = os.pipe()
    os.write(write, b'{"pid": 1}\n{"rc": 0}\n')
    server = tool_process._Server()
    server.proc = types.SimpleNamespace(
        stdout=os.fdopen(read, 'rb', buffering=0))
    try:
        assert server._answer(None) == {'pid': 1}
        assert server._answer(timeout=1) == {'rc': 0}
    finally:
        server.proc.stdout.close()
        os.close(write)
