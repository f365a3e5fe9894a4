"""How many seeds the demo needs: the power of its pre-registered analysis.

The demo's verdict rests on two primary comparisons (GDKD - baseline and
GDKD - KD, paired per seed) judged with Holm's correction. Given the
per-seed paired differences of a pilot run, this module estimates the
chance that a fresh set of ``n`` seeds puts both Holm-adjusted intervals
above 0:

* **plug-in power**: the differences of a seed are drawn from a bivariate
  normal with the pilot's means and covariance (the two comparisons share
  the GDKD run, so they are correlated), ``n`` seeds at a time, and the
  demo's analysis (t-tests, Holm) is applied to each simulated set;
* **assurance** (expected power): the same, but every simulated set first
  draws its means and covariance from their posterior given the pilot
  (covariance from the inverse-Wishart with the pilot's ``n - 1`` degrees
  of freedom, means from a normal around the pilot's), so the pilot's own
  uncertainty about the effect and the spread is counted;
* **per comparison**: the exact power of one t-interval at a given level
  (noncentral t), for a check by hand.

    python -m gdkd_seg.demo.power work_dirs/pilot/results.json --n 4 8 12
    python -m gdkd_seg.demo.power --diffs "1.1 0.9 2.8" "1.2 0.6 2.6"
"""
import argparse
import json
import math
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .paired import t_quantile
from .report import ALPHA, PRIMARY


def primary_diffs(results: Dict,
                  primary: Sequence[Tuple[str, str]] = PRIMARY
                  ) -> np.ndarray:
    """``(seeds, comparisons)`` paired differences of a ``results.json``
    on the split it was scored on."""
    key = f"{results.get('split', 'test')}_miou"
    methods = results['methods']
    return np.array([[x - y for x, y in zip(methods[a][key],
                                            methods[b][key])]
                     for a, b in primary]).T


def _all_above_zero(sets: np.ndarray, alpha: float) -> Dict[str, float]:
    """Fractions of the simulated seed sets ``(sims, n, m)`` in which
    every comparison's adjusted interval lies above 0, with Holm's and
    with Bonferroni's correction."""
    from scipy.stats import t
    sims, n, m = sets.shape
    mean = sets.mean(axis=1)
    sd = sets.std(axis=1, ddof=1)
    tstat = mean / (sd / math.sqrt(n))
    p = 2 * t.sf(np.abs(tstat), n - 1)
    positive = (mean > 0).all(axis=1)
    # Holm: the j-th smallest p-value must be <= alpha / (m - j)
    sorted_p = np.sort(p, axis=1)
    thresholds = alpha / (m - np.arange(m))
    holm = (sorted_p <= thresholds).all(axis=1) & positive
    bonferroni = (p <= alpha / m).all(axis=1) & positive
    return dict(holm=float(holm.mean()), bonferroni=float(bonferroni.mean()))


def plug_in_power(mean: Sequence[float], cov: np.ndarray, n: int,
                  alpha: float = ALPHA, sims: int = 20000,
                  seed: int = 0) -> Dict[str, float]:
    """Chance that ``n`` fresh seeds put every adjusted interval above 0,
    if the per-seed differences are normal with ``mean`` and ``cov``."""
    rng = np.random.default_rng(seed)
    sets = rng.multivariate_normal(np.asarray(mean, float),
                                   np.asarray(cov, float), size=(sims, n))
    return _all_above_zero(sets, alpha)


def assurance(pilot: np.ndarray, n: int, alpha: float = ALPHA,
              sims: int = 20000, seed: int = 0) -> Dict[str, float]:
    """Expected power of ``n`` seeds over the pilot's uncertainty.

    With the reference prior, the covariance given the pilot's ``k``
    seeds is inverse-Wishart (``k - 1`` degrees of freedom, scale
    ``(k - 1) S``) and the mean given the covariance is normal around
    the pilot's mean with covariance ``cov / k``; each simulated set of
    ``n`` seeds draws its own mean and covariance from these.
    """
    from scipy.stats import invwishart
    k, m = pilot.shape
    rng = np.random.default_rng(seed)
    mean = pilot.mean(axis=0)
    scale = np.cov(pilot, rowvar=False) * (k - 1)
    covs = invwishart(df=k - 1, scale=scale).rvs(size=sims,
                                                 random_state=rng)
    covs = np.asarray(covs).reshape(sims, m, m)
    chol = np.linalg.cholesky(covs)
    means = mean + np.einsum('sij,sj->si', chol,
                             rng.standard_normal((sims, m))) / math.sqrt(k)
    z = rng.standard_normal((sims, n, m))
    sets = means[:, None, :] + np.einsum('sij,snj->sni', chol, z)
    return _all_above_zero(sets, alpha)


def t_power(effect: float, sd: float, n: int, level: float) -> float:
    """Chance that the two-sided t-interval at ``level`` of ``n`` normal
    differences (true mean ``effect``, sd ``sd``) lies above 0
    (noncentral t)."""
    from scipy.stats import nct
    crit = t_quantile(0.5 + level / 2, n - 1)
    return float(nct.sf(crit, n - 1, math.sqrt(n) * effect / sd))


def power_table(pilot: np.ndarray, ns: Sequence[int],
                alpha: float = ALPHA, sims: int = 20000) -> List[Dict]:
    """One row per number of seeds: plug-in power (Holm, Bonferroni),
    assurance (Holm) and each comparison's own power at Bonferroni's
    level."""
    mean = pilot.mean(axis=0)
    cov = np.cov(pilot, rowvar=False)
    sd = np.sqrt(np.diag(cov))
    m = pilot.shape[1]
    rows = []
    for n in ns:
        plug = plug_in_power(mean, cov, n, alpha, sims)
        rows.append(dict(
            n=n, holm=plug['holm'], bonferroni=plug['bonferroni'],
            assurance=assurance(pilot, n, alpha, sims)['holm'],
            each=[t_power(mean[i], sd[i], n, 1 - alpha / m)
                  for i in range(m)]))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description='Power of the demo\'s pre-registered analysis from the '
        'per-seed differences of pilot runs (results.json files; seeds '
        'pooled)')
    parser.add_argument('results', nargs='*', help='results.json files')
    parser.add_argument('--diffs', nargs=len(PRIMARY), metavar='"D1 D2 ..."',
                        help='instead: the per-seed differences of each '
                        'primary comparison (' + ', '.join(
                            f'{a} - {b}' for a, b in PRIMARY) + ')')
    parser.add_argument('--n', type=int, nargs='+',
                        default=[4, 6, 8, 10, 12, 14, 16],
                        help='numbers of seeds to evaluate')
    parser.add_argument('--sims', type=int, default=20000)
    args = parser.parse_args(argv)
    if bool(args.results) == bool(args.diffs):
        parser.error('give results.json files or --diffs')
    pilots, seeds, splits = [], [], set()
    if args.diffs:
        rows = [[float(v) for v in d.split()] for d in args.diffs]
        if len({len(r) for r in rows}) != 1:
            parser.error('--diffs: as many values for each comparison')
        pilots.append(np.array(rows).T)
        seeds = list(range(len(rows[0])))
        splits.add('given')
    for path in args.results:
        with open(path) as f:
            res = json.load(f)
        pilots.append(primary_diffs(res))
        seeds += res['seeds']
        splits.add(res.get('split', 'test'))
    if len(set(seeds)) != len(seeds):
        raise SystemExit(f'a seed appears twice in the pilots: {seeds}')
    pilot = np.concatenate(pilots)
    names = [f'{a} - {b}' for a, b in PRIMARY]
    mean, sd = pilot.mean(axis=0), pilot.std(axis=0, ddof=1)
    corr = np.corrcoef(pilot, rowvar=False)[0, 1]
    print(f"pilot: {len(seeds)} seeds {seeds if args.results else ''}, "
          f"split {'/'.join(sorted(splits))}")
    for i, name in enumerate(names):
        print(f'  {name}: mean {mean[i]:+.3f}, sd {sd[i]:.3f}, per seed '
              + ' '.join(f'{v:+.2f}' for v in pilot[:, i]))
    print(f'  correlation of the two: {corr:+.3f}')
    print(f'power of n fresh seeds (both adjusted 95% intervals above 0; '
          f'{args.sims} simulated seed sets each):')
    print('| seeds | plug-in, Holm | plug-in, Bonferroni | assurance, Holm '
          '| ' + ' | '.join(f'{n}, alone at 97.5%' for n in names) + ' |')
    print('|---:|---:|---:|---:|' + '---:|' * len(names))
    for row in power_table(pilot, args.n, sims=args.sims):
        print(f"| {row['n']} | {row['holm']:.3f} | {row['bonferroni']:.3f}"
              f" | {row['assurance']:.3f} | "
              + ' | '.join(f'{p:.3f}' for p in row['each']) + ' |')


if __name__ == '__main__':
    main()
