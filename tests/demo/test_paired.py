"""Paired differences, t-intervals and the power estimate, against values
worked out by hand with the t quantiles of a printed t-table."""
import math

import pytest

from gdkd_seg.demo.paired import (holm, paired, seeds_needed, sentence,
                                  t_quantile)

# two-sided 95 % quantiles t(0.975, df) from a printed t-table (3 decimals)
TABLE = {1: 12.706, 2: 4.303, 4: 2.776, 9: 2.262, 17: 2.110, 18: 2.101}


@pytest.mark.parametrize('df', sorted(TABLE))
def test_t_quantile_matches_the_table(df):
    assert t_quantile(0.975, df) == pytest.approx(TABLE[df], abs=6e-4)


def test_paired_by_hand():
    # diffs 2, 3, 2: mean 7/3, sd sqrt(1/3), half-width t2 * sd / sqrt(3)
    result = paired([3, 5, 4], [1, 2, 2])
    assert result.diffs == [2, 3, 2]
    assert result.mean == pytest.approx(7 / 3)
    assert result.sd == pytest.approx(math.sqrt(1 / 3))
    half = TABLE[2] * math.sqrt(1 / 3) / math.sqrt(3)
    assert result.ci95 == pytest.approx([7 / 3 - half, 7 / 3 + half],
                                        abs=1e-3)
    assert result.wins == 3 and result.n == 3


def test_paired_order_and_sign():
    # pairing is by position: the same numbers shuffled are another result
    assert paired([1, 2], [2, 1]).diffs == [-1, 1]
    assert paired([1, 2], [1, 2]).mean == 0
    worse = paired([1, 1, 1], [3, 3.5, 3])
    assert worse.ci95[1] < 0 and worse.wins == 0
    assert paired([1, 2, 3], [1, 2, 3]).wins == 0  # a tie is not a win


def test_one_seed_and_bad_input():
    one = paired([3.0], [1.0])
    assert one.mean == 2 and math.isnan(one.sd)
    assert all(math.isnan(v) for v in one.ci95)
    with pytest.raises(ValueError):
        paired([1, 2], [1])
    with pytest.raises(ValueError):
        paired([], [])


def test_seeds_needed():
    # sd 2, effect 1: t(17) * 2 / sqrt(18) = 0.995 * ... (table: 2.110 ->
    # 0.9946 < 1 at n = 18; n = 17: 2.120 * 2 / 4.123 = 1.028 > 1)
    assert seeds_needed(2.0, 1.0) == 18
    assert seeds_needed(1.0, 10.0) == 2
    assert seeds_needed(1.0, 0.0) == 1001


def test_sentence():
    win = sentence('GDKD', 'the baseline', paired([5, 6, 7], [1, 2, 2]))
    assert win.startswith('GDKD beat the baseline on held-out test data')
    assert 'better on 3 of 3 seeds' in win
    tie = sentence('KD', 'the baseline', paired([1, 3, 2], [2, 2, 2]))
    assert 'did not separate' in tie and 'includes 0' in tie
    loss = sentence('KD', 'DKD', paired([1, 1, 1], [3, 3.5, 3]))
    assert 'did worse than DKD' in loss


# Student's t with 2 degrees of freedom has a closed form: its CDF is
# 1/2 + t / (2 sqrt(2 + t^2)), so the two-sided p-value of t is
# 1 - |t| / sqrt(2 + t^2) and the quantile q of level L (two-sided)
# solves q / sqrt(2 + q^2) = L: q = sqrt(2 L^2 / (1 - L^2)).
def _p_df2(t):
    return 1 - abs(t) / math.sqrt(2 + t * t)


def _q_df2(level):
    return math.sqrt(2 * level**2 / (1 - level**2))


def test_p_value_and_interval_at_any_level():
    result = paired([3, 5, 4], [1, 2, 2])  # diffs 2, 3, 2
    tstat = result.mean / (result.sd / math.sqrt(3))
    assert result.p == pytest.approx(_p_df2(tstat), rel=1e-6)
    half = _q_df2(0.975) * result.sd / math.sqrt(3)  # 6.2053
    assert result.interval(0.975) == pytest.approx(
        [result.mean - half, result.mean + half], rel=1e-6)
    assert result.interval(0.95) == pytest.approx(result.ci95)
    assert math.isnan(paired([1.0], [0.0]).p)


def _three(mean, spread):
    """Three differences with the given mean and sample sd ``spread``."""
    return [mean - spread, mean, mean + spread]


def test_holm_step_down_by_hand():
    # p-values (df 2): a: t = 2 / (1 / sqrt 3) = 3.46 -> p = 0.074;
    # b: t = 10.39 -> p = 0.0091; c: t = 0.35 -> p = 0.76
    family = {'a': paired(_three(2.0, 1.0), [0, 0, 0]),
              'b': paired(_three(6.0, 1.0), [0, 0, 0]),
              'c': paired(_three(0.2, 1.0), [0, 0, 0])}
    p = {k: _p_df2(v.mean / (v.sd / math.sqrt(3)))
         for k, v in family.items()}
    assert p['b'] < 0.05 / 3 < p['a'] < p['c']
    out = holm(family)
    assert list(out) == ['a', 'b', 'c']
    # b has the smallest p: tested at 0.05 / 3, rejected; a (next) at
    # 0.05 / 2, not rejected; so c is not either, at a's level
    assert out['b']['reject'] and not out['a']['reject']
    assert not out['c']['reject']
    assert out['b']['level'] == pytest.approx(1 - 0.05 / 3)
    assert out['a']['level'] == out['c']['level'] == pytest.approx(0.975)
    assert out['b']['p_holm'] == pytest.approx(3 * p['b'], rel=1e-6)
    assert out['a']['p_holm'] == pytest.approx(2 * p['a'], rel=1e-6)
    assert out['c']['p_holm'] == pytest.approx(min(1, p['c']), rel=1e-6)
    half = _q_df2(0.975) * 1.0 / math.sqrt(3)
    assert out['a']['ci'] == pytest.approx([2 - half, 2 + half], rel=1e-6)
    # the adjusted interval excludes 0 exactly when Holm rejects
    for k, v in out.items():
        assert v['reject'] == (v['ci'][0] > 0 or v['ci'][1] < 0), k
        assert v['ci_bonferroni'] == pytest.approx(
            family[k].interval(1 - 0.05 / 3))


def test_holm_rejects_what_bonferroni_would_not():
    # p: 0.0091 (b) and 0.035 (a: t = 3 sqrt 3), both below 0.05 but a
    # above 0.025: Holm rejects both (a at 0.05), Bonferroni would not
    a = paired(_three(3.0, 1.0), [0, 0, 0])
    b = paired(_three(6.0, 1.0), [0, 0, 0])
    p_a = _p_df2(a.mean / (a.sd / math.sqrt(3)))
    assert 0.025 < p_a < 0.05
    out = holm({'a': a, 'b': b})
    assert out['a']['reject'] and out['b']['reject']
    assert out['a']['level'] == pytest.approx(0.95)
    assert out['a']['ci'][0] > 0 > out['a']['ci_bonferroni'][0]


def test_one_seed_has_no_verdict():
    line = sentence('GDKD', 'the baseline', paired([3.0], [1.0]))
    assert 'no verdict from one seed' in line
    assert 'includes 0' not in line and 'interval [' not in line
    out = holm({'a': paired([1.0], [0.0]), 'b': paired([2.0], [0.0])})
    assert not out['a']['reject'] and math.isnan(out['a']['ci'][0])


def test_sentence_follows_the_interval_it_is_given():
    result = paired([5, 6, 7], [1, 2, 2])  # 95 % interval above 0
    wide = [-1.0, 9.0]
    line = sentence('GDKD', 'KD', result, ci=wide,
                    label='Holm-adjusted 97.5% interval')
    assert 'did not separate' in line and '[-1.00, +9.00]' in line
    assert 'Holm-adjusted 97.5% interval includes 0' in line
