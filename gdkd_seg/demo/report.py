"""The demo's results: paired comparisons over seeds, ``results.json``,
the markdown tables and one plain sentence per method."""
import math
from typing import Dict, List, Optional, Sequence, Tuple

from gdkd_seg.analysis.results import mean_std

from .paired import paired, sentence

NAMES = dict(baseline='the baseline', kd='KD', dkd='DKD', gdkd='GDKD',
             gdkd_ls='GDKD+LS')
# (method, reference) pairs compared besides "every method vs baseline"
EXTRA = (('gdkd', 'kd'), ('gdkd', 'dkd'))


def comparisons(methods: Sequence[str]) -> List[Tuple[str, str]]:
    """Every method vs the baseline, then GDKD vs KD and vs DKD."""
    pairs = [(m, 'baseline') for m in methods if m != 'baseline'
             and 'baseline' in methods]
    return pairs + [(a, b) for a, b in EXTRA if a in methods and b in methods]


def analyse(test: Dict[str, List[float]], seeds: Sequence[int],
            val: Optional[Dict[str, List[float]]] = None,
            teacher: Optional[Dict] = None,
            extra: Optional[Dict] = None) -> Dict:
    """The ``results.json`` content.

    Args:
        test: ``{method: [test mIoU per seed]}`` (seeds in ``seeds``' order).
        seeds: the seeds.
        val: ``{method: [val mIoU per seed]}``.
        teacher: ``{'test_miou': x, ...}``.
        extra: more top-level entries (settings, machine, time).
    """
    methods = {}
    for name, values in test.items():
        mean, std = mean_std(values)
        entry = dict(test_miou=list(values), mean=mean, std=std)
        if val and name in val:
            entry['val_miou'] = list(val[name])
        if 'baseline' in test and name != 'baseline':
            entry['paired_vs_baseline'] = paired(
                values, test['baseline']).as_dict()
        methods[name] = entry
    out = dict(seeds=list(seeds), methods=methods)
    out['comparisons'] = {
        f'{a}-{b}': paired(test[a], test[b]).as_dict()
        for a, b in comparisons(list(test)) if b != 'baseline'
    }
    out['teacher'] = teacher or {}
    out.update(extra or {})
    return out


def _num(value: float, signed: bool = False) -> str:
    if value is None or math.isnan(value):
        return '-'
    return f'{value:+.2f}' if signed else f'{value:.2f}'


def _interval(stats: Dict) -> str:
    lo, hi = stats['ci95']
    if math.isnan(lo):
        return '-'
    return f'[{lo:+.2f}, {hi:+.2f}]'


def tables(results: Dict) -> str:
    """Markdown: per-method test mIoU and paired differences."""
    n = len(results['seeds'])
    lines = [
        '| method | test mIoU (mean ± std) | paired Δ vs baseline | 95% '
        'interval | wins |', '|---|---:|---:|---:|---:|'
    ]
    teacher = results.get('teacher', {}).get('test_miou')
    if teacher is not None:
        lines.append(f'| teacher | {teacher:.2f} | | | |')
    for name, entry in results['methods'].items():
        row = f"| {name} | {_num(entry['mean'])} ± {_num(entry['std'])}"
        stats = entry.get('paired_vs_baseline')
        if stats and name != 'baseline':
            row += (f" | {_num(stats['mean'], True)} | {_interval(stats)} "
                    f"| {stats['wins']}/{stats['n']} |")
        else:
            row += ' | | | |'
        lines.append(row)
    if results['comparisons']:
        lines += ['', '| comparison | paired Δ | 95% interval | wins |',
                  '|---|---:|---:|---:|']
        for key, stats in results['comparisons'].items():
            a, b = key.split('-')
            lines.append(f"| {NAMES.get(a, a)} − {NAMES.get(b, b)} | "
                         f"{_num(stats['mean'], True)} | {_interval(stats)}"
                         f" | {stats['wins']}/{stats['n']} |")
    per_seed = ['', '| method | ' + ' | '.join(
        f'seed {s}' for s in results['seeds']) + ' |',
        '|---|' + '---:|' * n]
    for name, entry in results['methods'].items():
        per_seed.append(f'| {name} | ' + ' | '.join(
            f'{v:.2f}' for v in entry['test_miou']) + ' |')
    return '\n'.join(lines + per_seed) + '\n'


def sentences(results: Dict) -> List[str]:
    """One sentence per method vs the baseline, then GDKD vs KD / DKD."""
    out = []
    test = {k: v['test_miou'] for k, v in results['methods'].items()}
    for a, b in comparisons(list(test)):
        out.append(sentence(NAMES.get(a, a), NAMES.get(b, b),
                            paired(test[a], test[b])))
    return out
