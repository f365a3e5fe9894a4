"""results.json, tables and sentences of the demo, from per-seed numbers
whose paired statistics are worked out by hand here."""
import math

import pytest

from gdkd_seg.demo.report import analyse, comparisons, sentences, tables

T2 = 4.303  # t(0.975, 2), printed t-table
TEST = {'baseline': [30.0, 32.0, 31.0], 'kd': [31.0, 33.0, 31.5],
        'dkd': [33.0, 34.0, 33.5], 'gdkd': [34.0, 35.5, 34.0],
        'gdkd_ls': [29.0, 33.0, 31.0]}


def by_hand(a, b):
    d = [x - y for x, y in zip(a, b)]
    m = sum(d) / 3
    sd = math.sqrt(sum((x - m)**2 for x in d) / 2)
    return m, [m - T2 * sd / math.sqrt(3), m + T2 * sd / math.sqrt(3)], \
        sum(x > 0 for x in d)


def test_results_json_layout_and_values():
    out = analyse(TEST, [5, 6, 7], teacher=dict(test_miou=60.0))
    assert out['seeds'] == [5, 6, 7] and out['teacher']['test_miou'] == 60
    assert list(out['methods']) == list(TEST)
    assert 'paired_vs_baseline' not in out['methods']['baseline']
    for name, values in TEST.items():
        entry = out['methods'][name]
        assert entry['test_miou'] == values
        if name == 'baseline':
            continue
        mean, ci, wins = by_hand(values, TEST['baseline'])
        stats = entry['paired_vs_baseline']
        assert stats['mean'] == pytest.approx(mean)
        assert stats['ci95'] == pytest.approx(ci, abs=2e-3)
        assert stats['wins'] == wins
    # GDKD vs KD and vs DKD are paired too
    for key, ref in (('gdkd-kd', 'kd'), ('gdkd-dkd', 'dkd')):
        mean, ci, wins = by_hand(TEST['gdkd'], TEST[ref])
        assert out['comparisons'][key]['mean'] == pytest.approx(mean)
        assert out['comparisons'][key]['ci95'] == pytest.approx(ci,
                                                                abs=2e-3)


def test_comparisons_follow_the_methods_run():
    assert comparisons(['baseline', 'gdkd']) == [('gdkd', 'baseline')]
    assert comparisons(['kd', 'gdkd']) == [('gdkd', 'kd')]


def test_tables_and_sentences():
    out = analyse(TEST, [5, 6, 7], teacher=dict(test_miou=60.0))
    text = tables(out)
    assert '| teacher | 60.00 |' in text
    assert '| gdkd | 34.50 ± 0.87 | +3.50 |' in text
    assert '| GDKD − KD | +2.67 |' in text
    assert '| gdkd | 34.00 | 35.50 | 34.00 |' in text  # per seed
    lines = sentences(out)
    assert [s.split(' ')[0] for s in lines] == [
        'KD', 'DKD', 'GDKD', 'GDKD+LS', 'GDKD', 'GDKD']
    assert lines[2].startswith('GDKD beat the baseline on held-out test '
                               'data: +3.50 mIoU on average')
    assert 'better on 3 of 3 seeds' in lines[2]
    assert lines[3].startswith('GDKD+LS did not separate from the baseline')
