"""Paired comparisons over seeds: what a method gains over another.

For every seed both methods start from the same student weights and see
the same batches (the demo builds its distilled students that way), so
the per-seed difference removes the seed's own luck; its mean, a 95 %
Student-t interval and the count of seeds where the method wins say
whether the gain is real.
"""
import math
from dataclasses import dataclass
from typing import Dict, List, Sequence


@dataclass
class Paired:
    """The paired difference ``a - b`` over seeds.

    Attributes:
        diffs: per-seed differences, in the seeds' order.
        mean: their mean.
        sd: their sample standard deviation (``nan`` for one seed).
        ci95: the two-sided 95 % t-interval of the mean (``nan`` bounds
            for one seed).
        wins: seeds where ``a > b``.
    """
    diffs: List[float]
    mean: float
    sd: float
    ci95: List[float]
    wins: int

    @property
    def n(self) -> int:
        return len(self.diffs)

    def as_dict(self) -> Dict:
        return dict(mean=self.mean, ci95=list(self.ci95), wins=self.wins,
                    n=self.n, sd=self.sd, diffs=list(self.diffs))


def t_quantile(prob: float, df: int) -> float:
    """The ``prob`` quantile of Student's t with ``df`` degrees of freedom
    (scipy's, which ships with scikit-learn, the demo's dependency)."""
    from scipy.stats import t
    return float(t.ppf(prob, df))


def paired(a: Sequence[float], b: Sequence[float]) -> Paired:
    """Paired difference of two per-seed metric lists (same seed order).

    Raises:
        ValueError: lists of different lengths, or empty.
    """
    if len(a) != len(b) or not a:
        raise ValueError('paired() needs two non-empty lists of equal '
                         f'length, got {len(a)} and {len(b)}')
    diffs = [float(x) - float(y) for x, y in zip(a, b)]
    n = len(diffs)
    mean = sum(diffs) / n
    if n == 1:
        return Paired(diffs, mean, math.nan, [math.nan, math.nan],
                      int(diffs[0] > 0))
    sd = math.sqrt(sum((d - mean)**2 for d in diffs) / (n - 1))
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return Paired(diffs, mean, sd, [mean - half, mean + half],
                  sum(d > 0 for d in diffs))


def seeds_needed(sd: float, effect: float, n_max: int = 1000) -> int:
    """Seeds for a 95 % t-interval of half-width below ``effect``.

    The smallest ``n`` with ``t(0.975, n - 1) * sd / sqrt(n) < effect``:
    with the measured spread of the paired differences, the number of
    seeds after which a true mean gain of ``effect`` would have an
    interval above 0 (on average). ``n_max + 1`` if none up to ``n_max``.
    """
    if effect <= 0:
        return n_max + 1
    for n in range(2, n_max + 1):
        if t_quantile(0.975, n - 1) * sd / math.sqrt(n) < effect:
            return n
    return n_max + 1


def sentence(name: str, ref: str, result: Paired, unit: str = 'mIoU',
             data: str = 'held-out test data') -> str:
    """One plain sentence saying whether ``name`` beat ``ref``."""
    lo, hi = result.ci95
    span = (f'95% interval [{lo:+.2f}, {hi:+.2f}]' if result.n > 1 else
            'no interval with one seed')
    if result.n > 1 and lo > 0:
        verdict = f'{name} beat {ref} on {data}'
    elif result.n > 1 and hi < 0:
        verdict = f'{name} did worse than {ref} on {data}'
    else:
        verdict = (f'{name} did not separate from {ref} on {data} '
                   '(the interval includes 0)')
    return (f'{verdict}: {result.mean:+.2f} {unit} on average, {span}, '
            f'better on {result.wins} of {result.n} seeds.')
