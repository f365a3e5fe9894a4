"""What the documentation tests read: the README, the docs site, the
config folders' READMEs, and the code blocks, paths and commands in them
(one parser, shared by the reference and snippet tests)."""
import re
from pathlib import Path
from typing import Iterator, List, NamedTuple

from tests.conftest import REPO


def doc_files() -> List[Path]:
    """Every Markdown page a user reads: README.md, docs/**.md and
    configs/**/README.md."""
    files = [REPO / 'README.md']
    # not the site's generated copies of the config READMEs, nor builds
    files += sorted(
        p for p in (REPO / 'docs').rglob('*.md')
        if not {'model_zoo', '_build'} & set(p.relative_to(REPO).parts))
    files += sorted((REPO / 'configs').rglob('README.md'))
    return files


def rel(path: Path) -> str:
    return str(path.relative_to(REPO))


class Block(NamedTuple):
    """A fenced code block: its info string, text, first line number and
    the HTML comment marker right above it (``''`` when none)."""
    lang: str
    text: str
    line: int
    marker: str


_FENCE = re.compile(r'^(`{3,}|~{3,})\s*([^\s`]*)')
_MARKER = re.compile(r'^<!--\s*(.*?)\s*-->\s*$')


def blocks(text: str) -> List[Block]:
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, start = m.group(1), m.group(2).lower(), i
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        k = start - 1  # the marker may be separated by blank lines
        while k >= 0 and not lines[k].strip():
            k -= 1
        mk = _MARKER.match(lines[k]) if k >= 0 else None
        out.append(Block(lang, '\n'.join(lines[start + 1:j]), start + 1,
                         mk.group(1) if mk else ''))
        i = j + 1
    return out


def prose(text: str) -> str:
    """The text outside fenced blocks."""
    keep, inside, fence = [], False, ''
    for line in text.splitlines():
        m = _FENCE.match(line)
        if m and (not inside or line.startswith(fence)):
            inside, fence = (not inside), m.group(1)
            continue
        if not inside:
            keep.append(line)
    return '\n'.join(keep)


_SHELL = ('', 'bash', 'sh', 'shell', 'console', 'text')


def command_lines(text: str) -> Iterator[str]:
    """Shell command lines: those of shell blocks (continuation lines
    joined) and every inline code span of the prose."""
    for b in blocks(text):
        if b.lang in _SHELL:
            yield from b.text.replace('\\\n', ' ').splitlines()
    yield from re.findall(r'`([^`\n]+)`', prose(text))


# a repository path: starts a token, has no placeholder (<x>, {a,b}, *)
_PATH = re.compile(
    r'(?<![\w/$.~-])((?:configs|tools|tests|benchmarks|gdkd_seg|docs|'
    r'requirements|\.ci)/[\w./-]*[\w/])(?![\w<{*\[])')


def repo_paths(text: str) -> Iterator[str]:
    for m in _PATH.finditer(text):
        yield m.group(1)


_TOOL = re.compile(r'(?<![\w/$.-])(tools/[\w/-]+\.(?:py|sh))')
_FLAG = re.compile(r'(?<![\w-])(--[A-Za-z][\w-]*)')
# the launch scripts pass what follows their positional arguments to
# train.py / test.py
_FORWARDS = {
    'tools/dist_train.sh': 'tools/train.py',
    'tools/slurm_train.sh': 'tools/train.py',
    'tools/dist_test.sh': 'tools/test.py',
    'tools/slurm_test.sh': 'tools/test.py',
}


def tool_flags(line: str) -> Iterator[tuple]:
    """(tool, flag) for each flag written after one of our tools on a
    command line (up to the next pipe, `&&`, `;` or comment)."""
    for m in _TOOL.finditer(line):
        tool = m.group(1)
        rest = re.split(r'\|\||&&|[|;#]', line[m.end():])[0]
        for f in _FLAG.findall(rest):
            yield _FORWARDS.get(tool, tool), f


_SPAN = re.compile(r'`([^`\n]+)`')
_TOOL_SPAN = re.compile(r'(?<![\w/$.-])((?:tools/)?[\w/-]+\.(?:py|sh))\b')


def prose_flags(text: str, tools: set) -> Iterator[tuple]:
    """(tools named in the paragraph, flag) for each flag written as
    inline code in prose (e.g. "`train.py` `--work-dir`, `--resume`"):
    such a flag must be one of those tools' flags, or of any of our tools
    when the paragraph names none of them. ``tools`` are our tool paths
    (``tools/train.py``); the launch scripts count as the script they
    run."""
    by_name = {}
    for t in sorted(tools):
        by_name[t] = t
        by_name.setdefault(t.split('/')[-1], t)
    for para in re.split(r'\n\s*\n', prose(text)):
        spans = [s.strip() for s in _SPAN.findall(para)]
        flags = [_FLAG.match(s).group(1) for s in spans
                 if s.startswith('--') and _FLAG.match(s)]
        if not flags:
            continue
        named = set()
        for s in spans:
            for name in _TOOL_SPAN.findall(s):
                tool = by_name.get(name)
                if tool is None and not name.startswith('tools/'):
                    tool = None
                if tool:
                    named.add(_FORWARDS.get(tool, tool))
        for f in flags:
            yield frozenset(named), f


def github_slug(heading: str) -> str:
    """The anchor GitHub (and myst's heading anchors) give a heading."""
    s = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', heading.strip())
    s = s.lower()
    s = re.sub(r'[^\w\- ]', '', s)
    return s.replace(' ', '-')


_INCLUDE = re.compile(r'^```\{include\}\s+(\S+)\s*$', re.M)


def page_text(path: Path) -> str:
    """A page's Markdown with its myst ``{include}`` files inlined (the
    site's losses page shows docs/losses.md)."""
    text = path.read_text('utf-8')
    return _INCLUDE.sub(
        lambda m: page_text((path.parent / m.group(1)).resolve()), text)


def anchors(text: str) -> set:
    seen, out = {}, set()
    for line in prose(text).splitlines():
        m = re.match(r'^#{1,6}\s+(.*?)\s*#*\s*$', line)
        if not m:
            continue
        slug = github_slug(m.group(1))
        n = seen.get(slug, 0)
        out.add(slug if n == 0 else f'{slug}-{n}')
        seen[slug] = n + 1
    return out
