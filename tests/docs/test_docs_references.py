"""Everything the README, the docs site and the config folders' READMEs
name exists: repository paths (configs, tools, tests, ...), relative
links and their heading anchors, and every command-line flag written
after one of our tools (checked against the tool's own ``--help``)."""
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.docs.doc_text import (anchors, command_lines, doc_files,
                                 page_text, prose, prose_flags, rel,
                                 repo_paths, tool_flags)

DOCS = doc_files()


def _mim_roots():
    """MMSeg's and MMPretrain's shipped ``.mim`` trees: the docs also
    name their tools and configs (``tools/dataset_converters/``)."""
    roots = []
    for pkg in ('mmseg', 'mmpretrain'):
        try:
            mod = __import__(pkg)
        except Exception:  # noqa: BLE001 (the cls extra may be absent)
            continue
        roots.append(Path(mod.__file__).parent / '.mim')
    return roots


def test_docs_are_found():
    names = {rel(p) for p in DOCS}
    assert 'README.md' in names
    assert 'docs/en/index.md' in names
    assert any(n.startswith('configs/') for n in names)


# paths in other repositories that the docs cite as sources (a path of
# ours that goes missing is never excused by this list)
UPSTREAM = {
    'configs/TL': 'ZaberKo/GDKD',
    'configs/imagenet': 'ZaberKo/GDKD',
    'configs/imagenet/r34_r18/mlkd.yaml': 'ZaberKo/GDKD (MLKD)',
    'configs/resnet/r-56_c100.yaml': 'tiny-transformers',
    'configs/ocrnet/README.md': 'open-mmlab/mmsegmentation',
    'docs/MODEL_ZOO.md': 'AMD',
    'tests/test_models/test_segmentors': 'open-mmlab/mmsegmentation',
}


# paths the docs tell the reader to create, or that a build writes
CREATED = {
    'docs/en/_build/html': 'sphinx-build output',
    'gdkd_seg/.mim': 'setup.py, at build / install',
    'gdkd_seg/models/losses/reverse_kd_loss.py': 'add_method example',
    'configs/reverse_kd/deeplabv3_r101_to_r18_cityscapes.py':
    'add_method example',
    'tests/models/losses/test_reverse_kd_loss.py': 'add_method example',
}


def test_named_paths_exist():
    roots = [REPO] + _mim_roots()
    missing = []
    for doc in DOCS:
        for path in sorted(set(repo_paths(doc.read_text('utf-8')))):
            if path in CREATED:
                continue
            if path in UPSTREAM and not (REPO / path).exists():
                continue
            if not any((root / path).exists() for root in roots):
                missing.append(f'{rel(doc)}: {path}')
    assert not missing, 'named but missing:\n' + '\n'.join(missing)


_LINK = re.compile(r'\]\(([^)\s]+)\)')


def test_relative_links_and_anchors_resolve():
    broken = []
    for doc in DOCS:
        text = doc.read_text('utf-8')
        for target in _LINK.findall(prose(text)):
            if re.match(r'^[a-z]+:', target):  # http:, https:, mailto:
                continue
            path, _, anchor = target.partition('#')
            dest = (doc.parent / path).resolve() if path else doc
            if not dest.exists():
                broken.append(f'{rel(doc)}: {target} (no such file)')
                continue
            if anchor and dest.suffix == '.md':
                if anchor not in anchors(page_text(dest)):
                    broken.append(f'{rel(doc)}: {target} (no such heading)')
    assert not broken, 'broken links:\n' + '\n'.join(broken)


# runs each tool's --help in one process (imports shared), without
# running the tool: argparse prints the help and exits first
_HELP = r'''
import contextlib, io, json, runpy, sys
out = {}
for tool in sys.argv[1:]:
    buf = io.StringIO()
    sys.argv = [tool, '--help']
    try:
        with contextlib.redirect_stdout(buf):
            runpy.run_path(tool, run_name='__main__')
    except SystemExit:
        pass
    out[tool] = buf.getvalue()
print(json.dumps(out))
'''


def _helps(tools) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO), os.environ.get('PYTHONPATH')) if p))
    proc = subprocess.run([sys.executable, '-c', _HELP, *sorted(tools)],
                          cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    helps = json.loads(proc.stdout.strip().splitlines()[-1])
    for tool, text in helps.items():
        assert 'usage:' in text, f'{tool} --help printed no usage'
    return {tool: set(re.findall(r'(?<![\w-])(--[A-Za-z][\w-]*)', text))
            for tool, text in helps.items()}


# flags of other programs that the docs name beside our tools
OTHER_FLAGS = {'--gres': "Slurm's srun (tools/slurm_*.sh)"}


@pytest.fixture(scope='module')
def tool_helps():
    """Every flag of every Python tool we ship, from its own --help."""
    tools = [str(p.relative_to(REPO)) for p in sorted(
        (REPO / 'tools').rglob('*.py'))]
    return _helps(tools)


def test_tool_flags_exist(tool_helps):
    """A flag written after a tool on a command line is that tool's."""
    used = defaultdict(set)
    for doc in DOCS:
        for line in command_lines(doc.read_text('utf-8')):
            for tool, flag in tool_flags(line):
                used[tool].add((flag, rel(doc)))
    assert 'tools/train.py' in used and 'tools/test.py' in used
    missing_tools = [t for t in used if not (REPO / t).is_file()]
    assert not missing_tools, missing_tools
    missing = [f'{doc}: {tool} {flag}' for tool in sorted(used)
               for flag, doc in sorted(used[tool])
               if flag not in tool_helps[tool]]
    assert not missing, 'flags the tools do not have:\n' + '\n'.join(missing)


def test_flags_in_prose_exist(tool_helps):
    """A flag named as inline code in a paragraph about our tools (e.g.
    "`train.py` `--work-dir`, `--resume`") is a flag of one of them:
    prose does not say which tool each flag belongs to, so the check is
    that it exists at all (a typo or a removed flag fails). Paragraphs
    naming no tool of ours cite other programs' flags (upstream
    scripts) and are not checked."""
    tools = set(tool_helps) | {str(p.relative_to(REPO))
                               for p in (REPO / 'tools').glob('*.sh')}
    known = set().union(*tool_helps.values())
    checked, missing = 0, []
    for doc in DOCS:
        for named, flag in prose_flags(doc.read_text('utf-8'), tools):
            if not named:
                continue
            checked += 1
            if flag not in known and flag not in OTHER_FLAGS:
                missing.append(f'{rel(doc)}: {flag} (beside '
                               f'{", ".join(sorted(named))})')
    assert checked > 20
    assert not missing, 'no tool has these flags:\n' + '\n'.join(missing)


@pytest.mark.parametrize('line,expected', [
    ('python tools/train.py CFG --resume --amp | tee log',
     {('tools/train.py', '--resume'), ('tools/train.py', '--amp')}),
    ('bash tools/dist_test.sh CFG CKPT 4 --out x  # --not-this',
     {('tools/test.py', '--out')}),
    ('python $MMSEG/tools/train.py CFG --x', set()),
])
def test_tool_flag_extraction(line, expected):
    assert set(tool_flags(line)) == expected


# a code comment or message pointing into the docs by heading, e.g.
# (docs, "<heading>") or see docs/en/get_started.md, "<heading>"
_POINTER = re.compile(r'\bdocs(?:/[\w/.]+\.md)?,? "([^"]+)"')


def _code_files():
    for pattern in ('gdkd_seg/**/*.py', 'tools/**/*', 'tests/**/*.py',
                    'benchmarks/**/*', 'configs/**/*.py',
                    'requirements/*.txt', 'setup.py', '.ci/run'):
        for p in sorted(REPO.glob(pattern)):
            if p.is_file() and p.suffix in ('.py', '.sh', '.txt', ''):
                yield p


def _joined(text: str) -> str:
    """Comment and string-literal line breaks closed up, so a heading
    split over two lines reads as one."""
    text = re.sub(r"'\s*\n\s*'", '', text)  # 'a ' 'b' literals
    text = re.sub(r'\n\s*#\s*', ' ', text)  # comment lines
    return re.sub(r'\s*\n\s*', ' ', text)


def test_code_pointers_name_existing_headings():
    headings = set()
    for doc in DOCS:
        for line in prose(page_text(doc)).splitlines():
            m = re.match(r'^#{1,6}\s+(.*?)\s*$', line)
            if m:
                headings.add(m.group(1))
    found, missing = 0, []
    for path in _code_files():
        if path.resolve() == Path(__file__).resolve():
            continue
        for m in _POINTER.finditer(_joined(path.read_text('utf-8'))):
            found += 1
            name = m.group(1)
            if not any(h.startswith(name) for h in headings):
                missing.append(f'{path.relative_to(REPO)}: "{name}"')
    assert found, 'no pointer into the docs found in the code'
    assert not missing, 'no such heading in the docs:\n' + '\n'.join(missing)
