"""The model zoo: every config has a metafile entry, every entry points at
a config that exists, and the index loads with ``modelindex`` (the
package ``mim search`` / ``mim download`` read it with) both from the
checkout and from the wheel that ``pip`` builds, where it must sit under
``gdkd_seg/.mim`` beside the configs and tools it names.

``mim`` itself is not run here: openmim pulls in openxlab, which pins
setuptools 60.2 and requests 2.28 against the stack's setuptools 80.9
(docs/en/model_zoo.md says how to run ``mim search``).
``mim``'s lookup is reproduced instead: ``<package>/.mim/model-index.yml``
loaded with ``modelindex.load_model_index.load``, each model's collection
looked up by name (mim's ``convert2df`` fails on a missing one)."""
import glob
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from modelindex.load_model_index import load

from tests.conftest import REPO

CONFIGS = sorted(
    str(Path(p).relative_to(REPO))
    for p in glob.glob(str(REPO / 'configs' / '**' / '*.py'), recursive=True)
    if '_base_' not in Path(p).relative_to(REPO).parts)


def _site(pkg: str) -> Path:
    return Path(__import__(pkg).__file__).parent


def resolve(config: str) -> Path:
    """A metafile's Config: ours (repo-relative) or another zoo's
    (``mmseg::`` / ``mmpretrain::``, in that package's ``.mim``)."""
    if '::' in config:
        scope, rel = config.split('::')
        return _site(scope) / '.mim' / 'configs' / rel
    return REPO / config


@pytest.fixture(scope='module')
def index():
    return load(str(REPO / 'model-index.yml'))


def test_index_imports_every_metafile():
    with open(REPO / 'model-index.yml') as f:
        imports = yaml.safe_load(f)['Import']
    on_disk = sorted(
        str(Path(p).relative_to(REPO))
        for p in glob.glob(str(REPO / 'configs' / '*' / 'metafile.yaml')))
    assert sorted(imports) == on_disk
    # one per method folder (the folders with configs of their own)
    folders = {Path(c).parts[1] for c in CONFIGS}
    assert {Path(m).parts[1] for m in on_disk} == folders


def test_every_config_has_one_entry(index):
    configs = [m.config for m in index.models]
    ours = [c for c in configs if '::' not in c]
    missing = sorted(set(CONFIGS) - set(ours))
    assert not missing, f'configs without a metafile entry: {missing}'
    twice = sorted({c for c in ours if ours.count(c) > 1})
    assert not twice, f'configs with two entries: {twice}'


def test_every_entry_points_at_an_existing_config(index):
    absent = [(m.name, m.config) for m in index.models
              if not m.config or not resolve(m.config).is_file()]
    assert not absent, absent
    # the metafiles of a folder describe that folder's configs
    for m in index.models:
        if '::' not in m.config:
            assert m.config.startswith('configs/'), m.config


def test_names_unique_and_collections_defined(index):
    names = [m.name for m in index.models]
    assert len(names) == len(set(names))
    collections = {c.name for c in index.collections}
    assert len(collections) == len(index.collections)
    orphans = {m.in_collection for m in index.models} - collections
    assert not orphans, orphans
    for c in index.collections:
        assert c.readme and (REPO / c.readme).is_file(), c.name
        # mim's convert2df joins a list of papers as strings: one paper
        # per collection, a mapping (MMSeg's schema) or a string
        if c.paper is not None:
            assert isinstance(c.paper, str) or set(c.paper) == {
                'Title', 'URL'}, c.name


def test_distilled_entries_name_their_teacher(index):
    for m in index.models:
        meta = m.metadata.data
        cfg = str(REPO / m.config) if '::' not in m.config else ''
        if cfg and 'Teacher Config' in meta:
            assert resolve(meta['Teacher Config']).is_file(), m.name
            assert meta['Trained Here'] in ('no', 'yes: tools/demo.py')


def _upstream_entries():
    """MMSeg's and MMPretrain's own metafile entries by config."""
    out = {}
    for scope, pattern in (('mmseg', 'metafile.yaml'),
                           ('mmpretrain', 'metafile.yml')):
        root = _site(scope) / '.mim'
        for meta in glob.glob(str(root / 'configs' / '*' / pattern)):
            with open(meta) as f:
                for e in (yaml.safe_load(f) or {}).get('Models', []):
                    cfg = e.get('Config', '')
                    if cfg.startswith('configs/'):
                        out[f"{scope}::{cfg[len('configs/'):]}"] = e
    return out


def test_teacher_entries_match_their_zoo(index):
    """Teachers from MMSeg's / MMPretrain's zoo: the weights and the
    published number are theirs, read from their own metafiles."""
    upstream = _upstream_entries()
    teachers = [m for m in index.models if m.config.startswith(
        ('mmseg::', 'mmpretrain::'))]
    assert len(teachers) >= 10
    for m in teachers:
        ref = upstream[m.config]
        assert m.weights == ref['Weights'], m.name
        res = ref['Results']
        res = res if isinstance(res, list) else [res]
        if m.results:
            (metric, value), = m.results[0].metrics.items()
            ref_value = next(r['Metrics'][metric] for r in res
                             if metric in r['Metrics'])
            assert value == pytest.approx(ref_value), m.name


def test_wheel_ships_the_index_under_mim(tmp_path):
    """What ``pip install`` puts in site-packages: the wheel built from a
    copy of the checkout has gdkd_seg/.mim/{model-index.yml, configs,
    tools}, and the index loads from there with every config present."""
    src = tmp_path / 'src'
    src.mkdir()
    for name in ('setup.py', 'README.md', 'model-index.yml'):
        shutil.copy(REPO / name, src / name)
    ignore = shutil.ignore_patterns('__pycache__', '*.pyc', '.mim')
    for name in ('gdkd_seg', 'configs', 'tools'):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    proc = subprocess.run(
        [sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps',
         '--no-build-isolation', '--no-index', '-w', str(tmp_path / 'dist'),
         str(src)], capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PIP_NO_INPUT='1'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    wheel, = (tmp_path / 'dist').glob('gdkd_seg-*.whl')
    site = tmp_path / 'site'
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    mim = site / 'gdkd_seg' / '.mim'
    assert (mim / 'tools' / 'train.py').is_file()
    assert (mim / 'tools' / 'dist_train.sh').is_file()
    shipped = load(str(mim / 'model-index.yml'))
    ours = [m for m in shipped.models if '::' not in m.config]
    assert len(ours) == len(CONFIGS)
    absent = [m.config for m in ours if not (mim / m.config).is_file()]
    assert not absent, absent
