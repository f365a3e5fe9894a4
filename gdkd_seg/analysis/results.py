"""Collect metrics from MMEngine work directories into a results table.

A *run* is one work directory as written by ``tools/train.py`` (and,
optionally, ``tools/test.py --work-dir`` pointed at the same directory):

* ``<timestamp>/vis_data/scalars.json``: one JSON object per line; the
  validation lines hold the metric (``mIoU`` for MMSeg, ``accuracy/top1``
  for MMPretrain) and the iteration/epoch ``step``;
* ``<timestamp>/<timestamp>.json``: what ``tools/test.py`` evaluated;
* ``*.pth``: the checkpoint the parameters are counted from.

Runs whose directories differ only by a seed suffix (``seed0``, ``x_seed1``
...) form one *group*; a group reports mean and standard deviation over its
runs.
"""
import csv
import glob
import io
import json
import math
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

# the metric names MMSeg and MMPretrain log, in order of preference
METRICS = ('mIoU', 'accuracy/top1')
_SEED = re.compile(r'^(?P<group>.*?)[_\-.]?seed(?P<seed>\d+)$')
_NOT_PARAMS = ('running_mean', 'running_var', 'num_batches_tracked')


@dataclass
class Run:
    """The metrics of one work directory."""
    work_dir: str
    group: str
    seed: Optional[int]
    metric: Optional[str] = None
    val: List[float] = field(default_factory=list)  # in step order
    test: Optional[float] = None
    params: Optional[int] = None

    @property
    def last(self) -> Optional[float]:
        return self.val[-1] if self.val else None

    @property
    def best(self) -> Optional[float]:
        return max(self.val) if self.val else None


def _read_json_lines(path: str) -> List[dict]:
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a line cut short by a killed run
    return rows


def _metric_of(row: dict) -> Optional[str]:
    return next((m for m in METRICS if m in row), None)


def count_params(checkpoint: str) -> int:
    """Learnable parameters in a checkpoint's ``state_dict``.

    BN running statistics and the data preprocessor's buffers are left
    out; a distiller's checkpoint holds only its student (the teacher is
    kept out of the ``state_dict``), so the student is counted.
    """
    from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
    ckpt = load_mmengine_checkpoint(checkpoint, logger='silent')
    state = ckpt.get('state_dict', ckpt)
    return int(sum(
        v.numel() for k, v in state.items()
        if hasattr(v, 'numel') and not k.endswith(_NOT_PARAMS)
        and 'data_preprocessor' not in k))


def _checkpoint_of(work_dir: str) -> Optional[str]:
    """The checkpoint named in ``last_checkpoint``, else the newest."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            path = f.read().strip()
        for cand in (path, osp.join(work_dir, osp.basename(path))):
            if osp.isfile(cand):
                return cand
    ckpts = glob.glob(osp.join(work_dir, '*.pth'))
    return max(ckpts, key=osp.getmtime) if ckpts else None


def split_seed(work_dir: str) -> tuple:
    """``(group, seed)`` of a work directory from its name.

    ``a/gdkd/seed1`` -> ``('gdkd', 1)``; ``a/gdkd_seed1`` -> ``('gdkd',
    1)``; ``a/gdkd`` -> ``('gdkd', None)``.
    """
    path = osp.normpath(work_dir)
    name = osp.basename(path)
    m = _SEED.match(name)
    if m is None:
        return name, None
    group = m.group('group') or osp.basename(osp.dirname(path))
    return group, int(m.group('seed'))


def read_run(work_dir: str, with_params: bool = True) -> Run:
    """Read one work directory's validation and test metrics.

    Args:
        work_dir: an MMEngine work directory.
        with_params: count the checkpoint's parameters (loads it).
    """
    group, seed = split_seed(work_dir)
    run = Run(work_dir=work_dir, group=group, seed=seed)
    val = {}  # step -> value; a resumed run repeats no step
    for log_dir in sorted(glob.glob(osp.join(work_dir, '2*_*'))):
        stamp = osp.basename(log_dir)
        for row in _read_json_lines(
                osp.join(log_dir, 'vis_data', 'scalars.json')
        ) if osp.isfile(osp.join(log_dir, 'vis_data',
                                 'scalars.json')) else []:
            metric = _metric_of(row)
            if metric is not None and 'step' in row:
                run.metric = run.metric or metric
                val[row['step']] = float(row[run.metric])
        test_file = osp.join(log_dir, f'{stamp}.json')
        if osp.isfile(test_file):
            rows = _read_json_lines(test_file)
            metric = _metric_of(rows[-1]) if rows else None
            if metric is not None:
                run.metric = run.metric or metric
                run.test = float(rows[-1][run.metric])  # latest test wins
    run.val = [val[k] for k in sorted(val)]
    if with_params:
        ckpt = _checkpoint_of(work_dir)
        if ckpt is not None:
            run.params = count_params(ckpt)
    return run


def find_runs(paths: Sequence[str]) -> List[str]:
    """Work directories among ``paths`` and their sub-directories.

    A directory is a run if it holds MMEngine's ``<timestamp>/`` log
    folders; otherwise its sub-directories are searched.
    """
    runs = []
    for path in paths:
        if glob.glob(osp.join(path, '2*_*', '*.log')):
            runs.append(path)
        elif osp.isdir(path):
            runs.extend(find_runs(sorted(
                p for p in glob.glob(osp.join(path, '*')) if osp.isdir(p))))
    return runs


def mean_std(values: Sequence[float]) -> tuple:
    """Mean and sample standard deviation (``nan`` for one value)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    mean = sum(values) / n
    if n == 1:
        return mean, math.nan
    return mean, math.sqrt(sum((v - mean)**2 for v in values) / (n - 1))


def summarize(runs: Sequence[Run],
              baseline: Optional[str] = None) -> List[Dict]:
    """One row per group (in first-seen order) with mean/std over runs.

    Args:
        runs: the runs (see :func:`read_run`).
        baseline: a group name; adds each group's gain over it (of the
            test metric if every run was tested, else of the last one).

    Returns:
        Rows with keys ``group, metric, n, seeds, params, test, test_std,
        last, last_std, best, best_std`` (and ``gain``).
    """
    groups: Dict[str, List[Run]] = {}
    for run in runs:
        groups.setdefault(run.group, []).append(run)
    rows = []
    for name, members in groups.items():
        row = dict(group=name, metric=members[0].metric, n=len(members),
                   seeds=[r.seed for r in members])
        params = [r.params for r in members if r.params is not None]
        row['params'] = params[0] if params else None
        for key in ('test', 'last', 'best'):
            vals = [getattr(r, key) for r in members]
            vals = [v for v in vals if v is not None]
            mean, std = mean_std(vals) if len(vals) == len(members) else (
                math.nan, math.nan)
            row[key], row[f'{key}_std'] = mean, std
        rows.append(row)
    if baseline is not None:
        ref = next((r for r in rows if r['group'] == baseline), None)
        if ref is None:
            raise KeyError(f'baseline group {baseline!r} not among '
                           f'{[r["group"] for r in rows]}')
        key = 'test' if not math.isnan(ref['test']) else 'last'
        for row in rows:
            row['gain'] = row[key] - ref[key]
    return rows


def _fmt(mean: float, std: float = math.nan, signed: bool = False) -> str:
    if mean is None or math.isnan(mean):
        return '-'
    text = f'{mean:+.2f}' if signed else f'{mean:.2f}'
    return text if math.isnan(std) else f'{text} ± {std:.2f}'


def to_markdown(rows: Sequence[Dict]) -> str:
    """A markdown table of :func:`summarize`'s rows."""
    metric = next((r['metric'] for r in rows if r['metric']), 'metric')
    has_gain = any('gain' in r for r in rows)
    head = ['run', 'seeds', 'params (M)', f'test {metric}',
            f'last val {metric}', f'best val {metric}']
    if has_gain:
        head.append('gain vs baseline')
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '|'.join(['---'] + ['---:'] * (len(head) - 1)) + '|']
    for r in rows:
        params = '-' if r['params'] is None else f"{r['params'] / 1e6:.3f}"
        cells = [r['group'], str(r['n']), params,
                 _fmt(r['test'], r['test_std']),
                 _fmt(r['last'], r['last_std']),
                 _fmt(r['best'], r['best_std'])]
        if has_gain:
            cells.append(_fmt(r.get('gain', math.nan), signed=True))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def to_csv(rows: Sequence[Dict]) -> str:
    """A CSV of :func:`summarize`'s rows (numbers unrounded)."""
    keys = ['group', 'metric', 'n', 'seeds', 'params', 'test', 'test_std',
            'last', 'last_std', 'best', 'best_std']
    if any('gain' in r for r in rows):
        keys.append('gain')
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=keys, extrasaction='ignore',
                            lineterminator='\n')
    writer.writeheader()
    for r in rows:
        writer.writerow({**r, 'seeds': ' '.join(
            '' if s is None else str(s) for s in r['seeds'])})
    return buf.getvalue()
