"""The demo's results: the pre-registered analysis over seeds,
``results.json``, the markdown tables and plain sentences.

The analysis is fixed before any run (docs "The pre-registered
analysis", and ``analysis_plan.json`` written into the work dir before
the first run):

* **primary** comparisons (:data:`PRIMARY`): GDKD - baseline and
  GDKD - KD, paired per seed, with Holm's correction across them at a
  familywise 5 %; the verdict is worded from their Holm-adjusted intervals
  only;
* **exploratory**: every other comparison (each other method vs the
  baseline, GDKD - DKD, GDKD+LS - GDKD), with unadjusted 95 % intervals
  and no verdict.
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple

from gdkd_seg.analysis.results import mean_std

from .paired import Paired, holm, paired, sentence

NAMES = dict(baseline='the baseline', kd='KD', dkd='DKD', gdkd='GDKD',
             gdkd_ls='GDKD+LS')
SHORT = dict(baseline='baseline', kd='KD', dkd='DKD', gdkd='GDKD',
             gdkd_ls='GDKD+LS')
# the pre-registered primary comparisons, (a, b) meaning a - b
PRIMARY = (('gdkd', 'baseline'), ('gdkd', 'kd'))
ALPHA = 0.05
# exploratory comparisons besides "every other method vs the baseline"
EXTRA = (('gdkd', 'dkd'), ('gdkd_ls', 'gdkd'))
SPLIT_NAMES = dict(test='held-out test data',
                   val='validation data (design choices only)')


def _key(pair: Tuple[str, str]) -> str:
    return f'{pair[0]}-{pair[1]}'


def _label(pair: Tuple[str, str]) -> str:
    return f'{SHORT.get(pair[0], pair[0])} − {SHORT.get(pair[1], pair[1])}'


def comparisons(methods: Sequence[str]
                ) -> Tuple[List[Tuple[str, str]], List[Tuple[str, str]]]:
    """The primary and the exploratory comparisons the methods allow."""
    have = set(methods)
    primary = [p for p in PRIMARY if set(p) <= have]
    explore = [(m, 'baseline') for m in methods
               if m != 'baseline' and 'baseline' in have]
    explore += [p for p in EXTRA if set(p) <= have]
    return primary, [p for p in explore if p not in primary]


def analysis_plan(methods: Sequence[str], split: str = 'test') -> Dict:
    """What will be concluded from what, fixed before any run."""
    primary, explore = comparisons(methods)
    missing = [_key(p) for p in PRIMARY if p not in primary]
    return dict(
        split=split,
        primary=[_key(p) for p in primary],
        primary_not_run=missing,
        correction='holm', alpha=ALPHA,
        exploratory=[_key(p) for p in explore],
        rule=('a primary comparison is claimed (beat / did worse) only if '
              'its Holm-adjusted interval excludes 0; exploratory '
              'comparisons get unadjusted 95% intervals and no verdict'),
        source='docs/en/user_guides/demo.md, "The pre-registered '
        'analysis"')


def analyse(scores: Dict[str, List[float]], seeds: Sequence[int],
            val: Optional[Dict[str, List[float]]] = None,
            teacher: Optional[Dict] = None,
            extra: Optional[Dict] = None, split: str = 'test') -> Dict:
    """The ``results.json`` content.

    Args:
        scores: ``{method: [mIoU per seed]}`` on ``split`` (seeds in
            ``seeds``' order).
        seeds: the seeds.
        val: ``{method: [val mIoU per seed]}``.
        teacher: ``{'test_miou': x, ...}``.
        extra: more top-level entries (settings, machine, time).
        split: the split ``scores`` come from (``'test'`` or ``'val'``).
    """
    if len(set(seeds)) != len(seeds):
        raise ValueError(f'duplicate seeds: {list(seeds)}')
    plan = analysis_plan(list(scores), split)
    methods = {}
    for name, values in scores.items():
        mean, std = mean_std(values)
        entry = {f'{split}_miou': list(values), 'mean': mean, 'std': std}
        if val and name in val and split != 'val':
            entry['val_miou'] = list(val[name])
        methods[name] = entry
    primary_pairs, explore_pairs = comparisons(list(scores))
    stats = {_key(p): paired(scores[p[0]], scores[p[1]])
             for p in primary_pairs}
    adjusted = holm(stats, ALPHA) if stats else {}
    primary = {k: dict(stats[k].as_dict(), holm=adjusted[k])
               for k in stats}
    exploratory = {_key(p): paired(scores[p[0]], scores[p[1]]).as_dict()
                   for p in explore_pairs}
    out = dict(analysis=plan, seeds=list(seeds), split=split,
               methods=methods, primary=primary, exploratory=exploratory,
               teacher=teacher or {})
    out.update(extra or {})
    out['verdict'] = sentences(out)
    return out


def _num(value: Optional[float], signed: bool = False) -> str:
    if value is None or math.isnan(value):
        return '-'
    return f'{value:+.2f}' if signed else f'{value:.2f}'


def _interval(ci: Sequence[float]) -> str:
    lo, hi = ci
    if math.isnan(lo):
        return '- (one seed)'
    return f'[{lo:+.2f}, {hi:+.2f}]'


def _level(level: float) -> str:
    return '-' if math.isnan(level) else f'{100 * level:g}%'


def _verdict(pair: Tuple[str, str], stats: Dict) -> str:
    a, b = NAMES.get(pair[0], pair[0]), NAMES.get(pair[1], pair[1])
    if stats['n'] < 2:
        return 'no verdict (one seed)'
    if stats['holm']['reject']:
        return f'{a} beat {b}' if stats['mean'] > 0 else \
            f'{a} did worse than {b}'
    return 'not separated'


def tables(results: Dict) -> str:
    """Markdown: the primary comparisons (Holm-adjusted), per-method
    mIoU, the exploratory comparisons (unadjusted) and per-seed values."""
    split = results.get('split', 'test')
    n = len(results['seeds'])
    lines = [
        f'Primary comparisons (pre-registered; Holm-adjusted over '
        f"{len(results['primary'])}, familywise 5%):", '',
        '| comparison | paired Δ (mean) | Holm-adjusted interval | level '
        '| adjusted p | wins | verdict |',
        '|---|---:|---:|---:|---:|---:|---|'
    ]
    for key, stats in results['primary'].items():
        pair = tuple(key.split('-'))
        h = stats['holm']
        p = '-' if math.isnan(h['p_holm']) else f"{h['p_holm']:.3f}"
        lines.append(f"| {_label(pair)} | {_num(stats['mean'], True)} | "
                     f"{_interval(h['ci'])} | {_level(h['level'])} | {p} | "
                     f"{stats['wins']}/{stats['n']} | "
                     f'{_verdict(pair, stats)} |')
    for key in results.get('analysis', {}).get('primary_not_run', []):
        lines.append(f'| {_label(tuple(key.split("-")))} | not run | | | '
                     '| | |')
    lines += ['', f'| method | {split} mIoU (mean ± std) | paired Δ vs '
              'baseline (mean) |', '|---|---:|---:|']
    teacher = results.get('teacher', {}).get(f'{split}_miou')
    if teacher is not None:
        lines.append(f'| teacher | {teacher:.2f} (measured in this run) '
                     '| |')
    base = results['methods'].get('baseline', {}).get(f'{split}_miou')
    for name, entry in results['methods'].items():
        delta = ''
        if base is not None and name != 'baseline':
            delta = _num(paired(entry[f'{split}_miou'], base).mean, True)
        lines.append(f"| {name} | {_num(entry['mean'])} ± "
                     f"{_num(entry['std'])} | {delta} |")
    if results['exploratory']:
        lines += ['', 'Exploratory comparisons (unadjusted 95% intervals; '
                  'not part of the verdict):', '',
                  '| comparison | paired Δ (mean) | unadjusted 95% interval '
                  '| wins |', '|---|---:|---:|---:|']
        for key, stats in results['exploratory'].items():
            lines.append(f"| {_label(tuple(key.split('-')))} | "
                         f"{_num(stats['mean'], True)} | "
                         f"{_interval(stats['ci95'])} | "
                         f"{stats['wins']}/{stats['n']} |")
    per_seed = ['', '| method | ' + ' | '.join(
        f'seed {s}' for s in results['seeds']) + ' |',
        '|---|' + '---:|' * n]
    for name, entry in results['methods'].items():
        per_seed.append(f'| {name} | ' + ' | '.join(
            f'{v:.2f}' for v in entry[f'{split}_miou']) + ' |')
    return '\n'.join(lines + per_seed) + '\n'


def sentences(results: Dict) -> List[str]:
    """The verdict: one sentence per primary comparison, worded from its
    Holm-adjusted interval, then one labelled line per exploratory
    comparison."""
    data = SPLIT_NAMES[results.get('split', 'test')]
    out = []
    m = len(results['primary'])
    for key, stats in results['primary'].items():
        a, b = key.split('-')
        h = stats['holm']
        label = f'Holm-adjusted {_level(h["level"])} interval'
        text = sentence(NAMES.get(a, a), NAMES.get(b, b),
                        Paired.from_dict(stats), data=data, ci=h['ci'],
                        label=label, claim=h['reject'])
        if stats['n'] > 1:
            text = text[:-1] + f" (adjusted p = {h['p_holm']:.3f})."
        out.append(f'Primary ({m} comparisons, Holm): {text}')
    for key, stats in results['exploratory'].items():
        a, b = key.split('-')
        span = (f"unadjusted 95% interval {_interval(stats['ci95'])}"
                if stats['n'] > 1 else 'no interval with one seed')
        out.append(f'Exploratory, not part of the verdict: '
                   f'{NAMES.get(a, a)} vs {NAMES.get(b, b)}: '
                   f"{stats['mean']:+.2f} mIoU on average, {span}, better "
                   f"on {stats['wins']} of {stats['n']} seeds.")
    return out
