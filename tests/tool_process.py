"""``python <script> ...`` for the tests, in a forked process.

Every tool run of the suite would start a fresh interpreter and spend ~4 s
of CPU importing torch and MMEngine before the tool does anything (on the
2-core VM; a tiny training run takes ~11 s in all). Here one server
process per test worker imports them once, and each run is a child forked
from it: a process of its own (own globals, registries, random state and
exit), with the command line, environment, working directory and
``sys.path`` that ``python <script> ...`` would give it.

What the server imports is only what every tool imports first (torch,
NumPy, OpenCV, MMEngine's config, registry and runner), never gdkd_seg,
MMSeg or MMPretrain: a config that forgets ``custom_imports`` fails here
as for a user. ``GDKD_TEST_FRESH_PROCESSES=1`` runs every tool in a fresh
interpreter instead (``subprocess.run``), and commands other than a script
or ``-c`` always do.
"""
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Dict, List, Optional

# The server: reads one JSON request per line on stdin, forks, answers
# {"pid"} at once and {"rc"} when the child has exited. Kept as source so
# the server imports nothing of the tests (sys.path starts with '').
_SERVER = r'''
import atexit, json, os, runpy, signal, sys, threading, traceback, types
import numpy, cv2, torch
import mmengine.config, mmengine.registry, mmengine.runner

BASE_PATH = [p for p in sys.path[1:]
             if p not in os.environ.get('PYTHONPATH', '').split(os.pathsep)]
DEFAULT_THREADS = torch.get_num_threads()


def child(req):
    for fd, name, flags in ((0, os.devnull, os.O_RDONLY),
                            (1, req['out'], os.O_WRONLY | os.O_TRUNC),
                            (2, req['err'], os.O_WRONLY | os.O_TRUNC)):
        new = os.open(name, flags)
        os.dup2(new, fd)
        os.close(new)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(req['cwd'])
    os.environ.clear()
    os.environ.update(req['env'])
    args = req['args']
    # sys.path as `python <script>` / `python -c` builds it
    first = '' if args[0] == '-c' else os.path.dirname(
        os.path.abspath(args[0]))
    extra = os.environ.get('PYTHONPATH')
    sys.path[:] = [first, *(extra.split(os.pathsep) if extra else []),
                   *BASE_PATH]
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS') or
                              DEFAULT_THREADS))
    rc = 0
    try:
        if args[0] == '-c':
            sys.argv = ['-c', *args[2:]]
            main = sys.modules['__main__'] = types.ModuleType('__main__')
            exec(compile(args[1], '<string>', 'exec'), main.__dict__)
        else:
            sys.argv = list(args)
            runpy.run_path(args[0], run_name='__main__')
    except SystemExit as exc:
        code = exc.code
        if code is None:
            rc = 0
        elif isinstance(code, int):
            rc = code
        else:
            print(code, file=sys.stderr)
            rc = 1
    except BaseException:
        traceback.print_exc()
        rc = 1
    try:  # what the interpreter does on its way out
        threading._shutdown()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(rc & 0xFF)


for line in sys.stdin:
    req = json.loads(line)
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        child(req)
    print(json.dumps({'pid': pid}), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({'rc': os.waitstatus_to_exitcode(status)}), flush=True)
'''


class _Server:
    """The per-worker fork server (started on first use)."""

    def __init__(self):
        self.proc: Optional[subprocess.Popen] = None
        self.lock = threading.Lock()
        self.unread = b''

    def _start(self) -> None:
        env = {k: v for k, v in os.environ.items()
               if k != 'OMP_NUM_THREADS'}  # each child sets its own
        self.log = tempfile.TemporaryFile('w+')
        self.unread = b''
        self.proc = subprocess.Popen(
            [sys.executable, '-c', _SERVER], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, env=env, bufsize=0)

    def _answer(self, timeout: Optional[float]) -> Optional[dict]:
        """The server's next line, or None after ``timeout`` s. Read from
        the pipe itself: both answers may already be in it, and a
        buffered reader would hide the second from ``select``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b'\n' not in self.unread:
            wait = (None if deadline is None else
                    max(0.0, deadline - time.monotonic()))
            ready, _, _ = select.select([self.proc.stdout], [], [], wait)
            if not ready:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                self.log.seek(0)
                raise RuntimeError('the tool fork server died:\n' +
                                   self.log.read()[-4000:])
            self.unread += chunk
        line, _, self.unread = self.unread.partition(b'\n')
        return json.loads(line)

    def run(self, args: List[str], env: Dict[str, str], cwd: str,
            timeout: float) -> subprocess.CompletedProcess:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        with tempfile.TemporaryDirectory() as tmp:
            out, err = os.path.join(tmp, 'out'), os.path.join(tmp, 'err')
            for path in (out, err):
                open(path, 'w').close()
            request = memoryview(json.dumps(dict(
                args=args, env=env, cwd=str(cwd), out=out,
                err=err)).encode() + b'\n')
            while request:  # a raw pipe may take part of it per call
                request = request[self.proc.stdin.write(request):]
            pid = self._answer(None)['pid']
            answer = self._answer(timeout)
            if answer is None:  # as subprocess.run: kill, then raise
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:  # it ended as time ran out
                    pass
                self._answer(None)
            with open(out, errors='replace') as f_out, \
                    open(err, errors='replace') as f_err:
                stdout, stderr = f_out.read(), f_err.read()
        if answer is None:
            raise subprocess.TimeoutExpired(args, timeout, stdout, stderr)
        return subprocess.CompletedProcess([sys.executable, *args],
                                           answer['rc'], stdout, stderr)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


_server = _Server()


def run_python(args: List[str], env: Dict[str, str], cwd: str,
               timeout: float) -> subprocess.CompletedProcess:
    """``python *args`` with ``env`` in ``cwd``, output captured as text:
    a child of the fork server for a script or ``-c`` (one at a time per
    test process), else (or with ``GDKD_TEST_FRESH_PROCESSES=1``) a fresh
    interpreter."""
    forkable = args and (args[0] == '-c' or args[0].endswith('.py'))
    if (not forkable or os.environ.get('GDKD_TEST_FRESH_PROCESSES') == '1'
            or not _server.lock.acquire(blocking=False)):
        return subprocess.run([sys.executable, *args], cwd=cwd, env=env,
                              capture_output=True, text=True,
                              timeout=timeout)
    try:
        return _server.run(list(args), env, cwd, timeout)
    finally:
        _server.lock.release()


def close() -> None:
    """Stop this process's fork server (end of the test session)."""
    _server.close()
