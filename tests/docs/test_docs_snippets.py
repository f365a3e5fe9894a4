"""Every Python block of the README, the docs site and the config
folders' READMEs runs, or says why it cannot (docs/en/advanced_guides/development.md):

- unmarked: executed in an empty directory, offline; the blocks of one
  page run in order in one namespace (a page reads like a notebook: a
  later block may use what an earlier one defined);
- ``<!-- config: PATH -->`` above it: a config file; written at PATH in a
  scratch tree whose ``configs/`` is the repository's, and loaded with
  ``mmengine.Config.fromfile`` (its ``_base_`` chain resolves);
- ``<!-- needs: data | gpu | checkpoint | network -->`` or
  ``<!-- fragment -->`` (an excerpt or an outline with ``...``): compiled
  only, so at least its syntax is checked.
"""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.docs.doc_text import blocks, doc_files, rel

NEEDS = {'data', 'gpu', 'checkpoint', 'network'}


def python_blocks():
    out = []
    for doc in doc_files():
        for b in blocks(doc.read_text('utf-8')):
            if b.lang in ('python', 'py'):
                out.append((f'{rel(doc)}:{b.line}', b))
    return out


BLOCKS = python_blocks()


def kind(marker: str) -> str:
    if not marker:
        return 'run'
    if marker.startswith('config:'):
        return 'config'
    if marker == 'fragment':
        return 'compile'
    if marker.startswith('needs:'):
        needs = {n.strip() for n in marker[6:].split(',')}
        assert needs <= NEEDS, f'unknown needs: {needs - NEEDS}'
        return 'compile'
    raise AssertionError(f'unknown snippet marker <!-- {marker} -->')


def test_python_blocks_are_found():
    assert BLOCKS, 'no Python block found in the docs'


@pytest.mark.parametrize('where,block', BLOCKS, ids=[w for w, _ in BLOCKS])
def test_every_block_compiles_and_is_marked_sanely(where, block):
    kind(block.marker)
    compile(block.text, where, 'exec')


_RUN = r'''
import json, sys, traceback
failed, spaces = {}, {}
for where, code in json.loads(sys.stdin.read()):
    page = where.rsplit(':', 1)[0]
    scope = spaces.setdefault(page, {'__name__': '__snippet__'})
    try:
        exec(compile(code, where, 'exec'), scope)
    except BaseException:  # noqa: B036
        failed[where] = traceback.format_exc(limit=3)
print(json.dumps(failed))
'''

_CONFIG = r'''
import json, sys, traceback
from mmengine.config import Config
failed = {}
for where, path in json.loads(sys.stdin.read()):
    try:
        Config.fromfile(path)
    except BaseException:  # noqa: B036
        failed[where] = traceback.format_exc(limit=3)
print(json.dumps(failed))
'''


def _python(code: str, payload, cwd) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO), os.environ.get('PYTHONPATH')) if p))
    proc = subprocess.run([sys.executable, '-c', code], cwd=cwd, env=env,
                          input=json.dumps(payload), capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_unmarked_blocks_run(tmp_path):
    runnable = [(w, b.text) for w, b in BLOCKS if kind(b.marker) == 'run']
    if not runnable:
        pytest.skip('no runnable Python block in the docs')
    failed = _python(_RUN, runnable, tmp_path)
    assert not failed, '\n'.join(f'{w}:\n{tb}' for w, tb in failed.items())


def test_config_blocks_load(tmp_path):
    configs = []
    for i, (where, b) in enumerate(BLOCKS):
        if kind(b.marker) != 'config':
            continue
        # a scratch tree per block (two pages may show the same file):
        # its configs/ entries are the repository's, so a block may add a
        # folder (configs/my_method/...) without touching the checkout
        root = tmp_path / f'block{i}'
        (root / 'configs').mkdir(parents=True)
        for entry in (REPO / 'configs').iterdir():
            (root / 'configs' / entry.name).symlink_to(entry)
        path = root / b.marker.split(':', 1)[1].strip()
        # never written into the checkout through a linked folder
        assert root.resolve() in path.resolve().parents, where
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(b.text + '\n')
        configs.append((where, str(path)))
    if not configs:
        pytest.skip('no config block in the docs')
    failed = _python(_CONFIG, configs, tmp_path)
    assert not failed, '\n'.join(f'{w}:\n{tb}' for w, tb in failed.items())
