"""results.json, tables and sentences of the demo, from per-seed numbers
whose paired statistics are worked out by hand here: the pre-registered
primaries with Holm's correction, everything else exploratory."""
import math

import pytest

from gdkd_seg.demo.report import (analyse, analysis_plan, comparisons,
                                  sentences, tables)

# two-sided quantiles of t with 2 degrees of freedom (closed form:
# q = sqrt(2 L^2 / (1 - L^2)) for level L): 4.303 (95 %), 6.205 (97.5 %)
Q = {0.95: 4.3027, 0.975: 6.2053}
TEST = {'baseline': [30.0, 32.0, 31.0], 'kd': [31.0, 33.0, 31.5],
        'dkd': [33.0, 34.0, 33.5], 'gdkd': [34.0, 35.5, 34.0],
        'gdkd_ls': [29.0, 33.0, 31.0]}


def by_hand(a, b, level=0.95):
    d = [x - y for x, y in zip(a, b)]
    m = sum(d) / 3
    sd = math.sqrt(sum((x - m)**2 for x in d) / 2)
    half = Q[level] * sd / math.sqrt(3)
    p = 1 - abs(m / (sd / math.sqrt(3))) / math.sqrt(
        2 + (m / (sd / math.sqrt(3)))**2)  # closed form, df 2
    return m, [m - half, m + half], sum(x > 0 for x in d), p


def test_the_plan_is_fixed_by_the_methods_run():
    plan = analysis_plan(list(TEST))
    assert plan['primary'] == ['gdkd-baseline', 'gdkd-kd']
    assert plan['correction'] == 'holm' and plan['alpha'] == 0.05
    assert plan['exploratory'] == ['kd-baseline', 'dkd-baseline',
                                   'gdkd_ls-baseline', 'gdkd-dkd',
                                   'gdkd_ls-gdkd']
    assert comparisons(['baseline', 'gdkd']) == ([('gdkd', 'baseline')], [])
    assert analysis_plan(['baseline', 'gdkd'])['primary_not_run'] == [
        'gdkd-kd']


def test_results_json_layout_and_values():
    out = analyse(TEST, [5, 6, 7], teacher=dict(test_miou=60.0))
    assert out['seeds'] == [5, 6, 7] and out['teacher']['test_miou'] == 60
    assert list(out['methods']) == list(TEST)
    for name, values in TEST.items():
        assert out['methods'][name]['test_miou'] == values
    # primaries: p-values (df 2) 0.0067 (GDKD - baseline: diffs 4, 3.5,
    # 3) and 0.0039 (GDKD - KD: 3, 2.5, 2.5); Holm tests GDKD - KD at
    # 0.025 (97.5 % interval), then GDKD - baseline at 0.05 (95 %)
    p = {}
    for key, ref in (('gdkd-baseline', 'baseline'), ('gdkd-kd', 'kd')):
        mean, _, wins, p[key] = by_hand(TEST['gdkd'], TEST[ref])
        stats = out['primary'][key]
        assert stats['mean'] == pytest.approx(mean)
        assert stats['p'] == pytest.approx(p[key], rel=1e-3)
        assert stats['wins'] == wins
    assert p['gdkd-kd'] < p['gdkd-baseline'] < 0.025
    holm = {k: v['holm'] for k, v in out['primary'].items()}
    assert holm['gdkd-kd']['level'] == 0.975
    assert holm['gdkd-baseline']['level'] == 0.95
    for key, ref in (('gdkd-baseline', 'baseline'), ('gdkd-kd', 'kd')):
        _, ci, _, _ = by_hand(TEST['gdkd'], TEST[ref], holm[key]['level'])
        assert holm[key]['ci'] == pytest.approx(ci, abs=2e-3)
        assert holm[key]['reject']
    assert holm['gdkd-kd']['p_holm'] == pytest.approx(2 * p['gdkd-kd'],
                                                      rel=1e-3)
    assert holm['gdkd-baseline']['p_holm'] == pytest.approx(
        max(p['gdkd-baseline'], 2 * p['gdkd-kd']), rel=1e-3)
    # everything else is exploratory, with unadjusted 95 % intervals
    assert 'gdkd-baseline' not in out['exploratory']
    for key in ('kd-baseline', 'gdkd-dkd', 'gdkd_ls-gdkd'):
        a, b = key.split('-')
        mean, ci, wins, _ = by_hand(TEST[a], TEST[b])
        stats = out['exploratory'][key]
        assert stats['mean'] == pytest.approx(mean)
        assert stats['ci95'] == pytest.approx(ci, abs=2e-3)


def test_tables_and_sentences():
    out = analyse(TEST, [5, 6, 7], teacher=dict(test_miou=60.0))
    text = tables(out)
    assert 'Holm-adjusted over 2' in text
    assert '| GDKD − baseline | +3.50 |' in text
    assert '| 95% |' in text and '| 97.5% |' in text
    assert '| GDKD − KD | +2.67 |' in text
    assert 'Exploratory comparisons (unadjusted 95% intervals' in text
    assert '| GDKD+LS − GDKD | -3.50 |' in text
    assert '| teacher | 60.00 (measured in this run) |' in text
    assert '| gdkd | 34.00 | 35.50 | 34.00 |' in text  # per seed
    lines = sentences(out)
    assert len(lines) == 7 and lines == out['verdict']
    assert lines[0].startswith(
        'Primary (2 comparisons, Holm): GDKD beat the baseline on '
        'held-out test data: +3.50 mIoU on average, Holm-adjusted 95% '
        'interval [')
    assert 'better on 3 of 3 seeds' in lines[0]
    assert lines[1].startswith('Primary (2 comparisons, Holm): GDKD beat '
                               'KD') and 'Holm-adjusted 97.5% ' in lines[1]
    assert all(s.startswith('Exploratory, not part of the verdict: ')
               for s in lines[2:])
    # an exploratory interval below 0 is reported, never called a loss
    assert 'GDKD+LS vs GDKD: -3.50 mIoU' in lines[-1]
    assert 'worse' not in lines[-1]


def test_the_wording_follows_the_adjusted_interval():
    # GDKD - baseline: unadjusted 95 % interval above 0, but it has the
    # smaller p-value of two and its Holm level is 97.5 %, which
    # includes 0: not claimed
    scores = {'baseline': [30.0, 30.0, 30.0], 'kd': [20.0, 35.0, 28.0],
              'gdkd': [31.0, 32.0, 31.4]}
    mean, ci95, _, p = by_hand(scores['gdkd'], scores['baseline'])
    assert ci95[0] > 0 and p > 0.025
    out = analyse(scores, [0, 1, 2])
    h = out['primary']['gdkd-baseline']['holm']
    assert h['level'] == 0.975 and h['ci'][0] < 0 and not h['reject']
    line = out['verdict'][0]
    assert 'GDKD did not separate from the baseline' in line
    assert 'Holm-adjusted 97.5% interval includes 0' in line
    lo, hi = h['ci']
    assert f'interval [{lo:+.2f}, {hi:+.2f}]' in line
    row = [r for r in tables(out).splitlines()
           if r.startswith('| GDKD − baseline |')]
    assert row == [f'| GDKD − baseline | +1.47 | [{lo:+.2f}, {hi:+.2f}] | '
                   f"97.5% | {h['p_holm']:.3f} | 3/3 | not separated |"]
