"""Paired comparisons over seeds: what a method gains over another.

For every seed both methods start from the same student weights and see
the same batches (the demo builds its distilled students that way), so
the per-seed difference removes the seed's own luck; its mean, a 95 %
Student-t interval and the count of seeds where the method wins say
whether the gain is real.

Several comparisons at once are corrected with Holm's step-down method
(:func:`holm`): the demo's pre-registered primary comparisons are judged
by their Holm-adjusted intervals only.
"""
import math
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence


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
        p: two-sided p-value of the paired t-test of a zero mean
            (``nan`` for one seed).
    """
    diffs: List[float]
    mean: float
    sd: float
    ci95: List[float]
    wins: int
    p: float = math.nan

    @property
    def n(self) -> int:
        return len(self.diffs)

    def interval(self, level: float) -> List[float]:
        """The two-sided t-interval of the mean at ``level`` (e.g. 0.975);
        ``nan`` bounds for one seed."""
        if self.n < 2:
            return [math.nan, math.nan]
        half = (t_quantile(0.5 + level / 2, self.n - 1) * self.sd /
                math.sqrt(self.n))
        return [self.mean - half, self.mean + half]

    def as_dict(self) -> Dict:
        return dict(mean=self.mean, ci95=list(self.ci95), wins=self.wins,
                    n=self.n, sd=self.sd, p=self.p, diffs=list(self.diffs))

    @classmethod
    def from_dict(cls, data: Dict) -> 'Paired':
        """The inverse of :meth:`as_dict`."""
        return cls(list(data['diffs']), data['mean'], data['sd'],
                   list(data['ci95']), data['wins'],
                   data.get('p', math.nan))


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
    if sd > 0:
        from scipy.stats import t
        p = float(2 * t.sf(abs(mean) / (sd / math.sqrt(n)), n - 1))
    else:  # identical differences: certain if non-zero
        p = 1.0 if mean == 0 else 0.0
    return Paired(diffs, mean, sd, [mean - half, mean + half],
                  sum(d > 0 for d in diffs), p)


def holm(results: Mapping[str, Paired], alpha: float = 0.05) -> Dict:
    """Holm's step-down correction over a family of paired comparisons.

    Sort the p-values ``p(1) <= ... <= p(m)``; the j-th is rejected if it
    and every smaller one satisfy ``p(i) <= alpha / (m - i + 1)``, which
    keeps the chance of any false claim in the family at most ``alpha``.
    Each comparison also gets the t-interval at the level its step tests
    (``1 - alpha / (m - j + 1)``; after the first comparison that is not
    rejected, the level of that step), so that an adjusted interval
    excludes 0 exactly when Holm's method rejects; the wording follows
    these intervals. Bonferroni's intervals (level ``1 - alpha / m`` for
    all) are returned too: they cover all the true means at once with
    probability at least ``1 - alpha``.

    Args:
        results: ``{name: Paired}``, the family (at least two seeds each).
        alpha: the familywise error rate.

    Returns:
        ``{name: {'p', 'p_holm', 'level', 'ci', 'reject',
        'ci_bonferroni'}}`` in the order of ``results``; ``p_holm`` is
        Holm's adjusted p-value (reject if ``<= alpha``).
    """
    names = list(results)
    m = len(names)
    if any(math.isnan(r.p) for r in results.values()):  # one seed
        nan2 = [math.nan, math.nan]
        return {k: dict(p=results[k].p, p_holm=math.nan, level=math.nan,
                        ci=nan2, reject=False, ci_bonferroni=nan2)
                for k in names}
    order = sorted(names, key=lambda k: (results[k].p, names.index(k)))
    out, running, failed_at = {}, 0.0, None
    for j, name in enumerate(order):  # j = 0 for the smallest p-value
        res = results[name]
        step = j if failed_at is None else failed_at
        level = 1 - alpha / (m - step)
        running = max(running, min(1.0, (m - j) * res.p))
        reject = failed_at is None and res.p <= alpha / (m - j)
        if not reject and failed_at is None:
            failed_at = j
        out[name] = dict(p=res.p, p_holm=running, level=level,
                         ci=res.interval(level), reject=reject,
                         ci_bonferroni=res.interval(1 - alpha / m))
    return {name: out[name] for name in names}


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
             data: str = 'held-out test data',
             ci: Optional[Sequence[float]] = None,
             label: str = '95% interval',
             claim: Optional[bool] = None) -> str:
    """One plain sentence saying whether ``name`` beat ``ref``.

    Args:
        name: the method.
        ref: what it is compared with.
        result: the paired differences ``name - ref``.
        unit: the metric's name.
        data: the data it was measured on.
        ci: the interval the wording follows (default: ``result.ci95``),
            e.g. a multiplicity-adjusted one, called ``label``.
        label: what ``ci`` is.
        claim: whether the comparison is decided (default: ``ci``
            excludes 0); a decided comparison is worded by its sign.
    """
    if result.n < 2:  # no spread, no interval: no verdict
        return (f'{name} vs {ref}: no verdict from one seed (it gives no '
                f'interval): {result.mean:+.2f} {unit} on that seed, on '
                f'{data}.')
    lo, hi = result.ci95 if ci is None else ci
    if claim is None:
        claim = lo > 0 or hi < 0
    if claim and result.mean > 0:
        verdict = f'{name} beat {ref} on {data}'
    elif claim:
        verdict = f'{name} did worse than {ref} on {data}'
    else:
        verdict = (f'{name} did not separate from {ref} on {data} '
                   f'(the {label} includes 0)')
    return (f'{verdict}: {result.mean:+.2f} {unit} on average, {label} '
            f'[{lo:+.2f}, {hi:+.2f}], better on {result.wins} of '
            f'{result.n} seeds.')
