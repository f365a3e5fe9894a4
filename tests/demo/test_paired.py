"""Paired differences, t-intervals and the power estimate, against values
worked out by hand with the t quantiles of a printed t-table."""
import math

import pytest

from gdkd_seg.demo.paired import (paired, seeds_needed, sentence,
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
