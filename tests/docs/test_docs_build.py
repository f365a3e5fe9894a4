"""The documentation site (docs/en) builds with warnings as errors, as
Read the Docs builds it: a broken cross-reference, a page missing from
every toctree, a heading anchor that does not exist, or a docstring that
autodoc cannot import fails the build (``-W --keep-going`` reports them
all at once). Offline: no intersphinx, a theme shipped as a package."""
import os
import subprocess
import sys

from tests.conftest import REPO


def test_docs_build_without_warnings(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO), os.environ.get('PYTHONPATH')) if p))
    proc = subprocess.run(
        [sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q',
         '-b', 'html', '-d', str(tmp_path / 'doctrees'),
         str(REPO / 'docs' / 'en'), str(tmp_path / 'html')],
        env=env, capture_output=True, text=True, timeout=600)
    # Python's own warnings (mmcv-lite's missing ops) are not Sphinx's
    report = '\n'.join(
        line for line in proc.stderr.splitlines()
        if 'WARNING' in line or 'ERROR' in line)
    assert proc.returncode == 0, report or proc.stderr[-4000:]
    html = tmp_path / 'html'
    # autodoc really documented the public classes (an import failure
    # under -W fails above; this guards against an empty api page)
    api = (html / 'api.html').read_text(encoding='utf-8')
    for anchor in ('models.losses.GDKDLoss', 'models.losses.DKDLoss',
                   'models.distillers.SegDistiller', 'cls.ClsDistiller',
                   'engine.hooks.TeacherEvalHook',
                   'apis.extract_student'):
        assert f'id="gdkd_seg.{anchor}"' in api, anchor
    # the tools' reference (module docstrings of tools/*.py)
    for tool in ('train', 'test', 'extract_student', 'demo'):
        assert f'id="module-tools.{tool}"' in api, tool
    assert (html / 'model_zoo.html').is_file()
