"""The power estimate behind the demo's default number of seeds: the
simulation of the pre-registered analysis against the exact noncentral-t
power, and its reading of a results.json."""
import json
import math

import numpy as np
import pytest

from gdkd_seg.demo.power import (assurance, main, plug_in_power,
                                 primary_diffs, t_power)
from gdkd_seg.demo.report import analyse


def test_t_power_by_hand():
    # effect = sd * t_crit / sqrt(n) puts the noncentrality at the
    # critical value: the interval clears 0 about half the time (the
    # noncentral t's median is slightly above its noncentrality)
    n, crit = 10, 2.262  # t(0.975, 9), printed table
    power = t_power(crit / math.sqrt(n), 1.0, n, 0.95)
    assert 0.5 < power < 0.55
    assert t_power(0.0, 1.0, n, 0.95) == pytest.approx(0.025, abs=1e-4)
    assert t_power(5.0, 1.0, n, 0.95) > 0.9999


def test_simulation_matches_the_exact_power():
    # two independent comparisons: Bonferroni's joint power is the
    # product of each one's exact power at level 97.5 %
    mean, cov, n = [1.0, 1.5], np.diag([1.2**2, 2.0**2]), 8
    sim = plug_in_power(mean, cov, n, sims=40000, seed=1)
    exact = t_power(1.0, 1.2, n, 0.975) * t_power(1.5, 2.0, n, 0.975)
    assert sim['bonferroni'] == pytest.approx(exact, abs=0.01)
    assert sim['holm'] >= sim['bonferroni']  # Holm rejects a superset
    # one comparison certain: Holm tests the other at 95 %, Bonferroni
    # at 97.5 %
    sure = plug_in_power([20.0, 1.0], np.eye(2), n, sims=40000, seed=3)
    assert sure['holm'] == pytest.approx(t_power(1.0, 1.0, n, 0.95),
                                         abs=0.01)
    assert sure['bonferroni'] == pytest.approx(
        t_power(1.0, 1.0, n, 0.975), abs=0.01)
    # perfectly correlated equal comparisons: the joint power is one's
    same = plug_in_power([1.0, 1.0], np.full((2, 2), 1.0) + 1e-9 * np.eye(2),
                         n, sims=40000, seed=2)
    assert same['holm'] == pytest.approx(t_power(1.0, 1.0, n, 0.975),
                                         abs=0.01)


def test_assurance_counts_the_pilot_uncertainty():
    rng = np.random.default_rng(0)
    mean, cov = np.array([1.0, 1.2]), np.array([[1.0, 0.5], [0.5, 1.0]])
    plug = plug_in_power(mean, cov, 12, sims=20000)['holm']
    # a huge pilot knows the truth: assurance -> plug-in power
    big = rng.multivariate_normal(mean, cov, size=4000)
    big = (big - big.mean(0)) @ np.linalg.inv(
        np.linalg.cholesky(np.cov(big, rowvar=False))).T
    big = big @ np.linalg.cholesky(cov).T + mean  # exact mean and cov
    assert assurance(big, 12, sims=20000)['holm'] == pytest.approx(
        plug, abs=0.015)
    # a small pilot with the same mean and cov: less assured
    small = big[:6]
    small = (small - small.mean(0)) @ np.linalg.inv(
        np.linalg.cholesky(np.cov(small, rowvar=False))).T
    small = small @ np.linalg.cholesky(cov).T + mean
    assert assurance(small, 12, sims=20000)['holm'] < plug - 0.05
    # ... also about the effect: a pilot whose mean gain is exactly 0
    # still allows a real gain (its mean is uncertain), which many seeds
    # would then find; known to be 0, it would be found ~never
    null = (small - mean) @ np.linalg.inv(np.linalg.cholesky(cov)).T
    assert plug_in_power([0, 0], np.eye(2), 50)['holm'] < 0.001
    assert 0.01 < assurance(null, 50, sims=20000)['holm'] < 0.2


def test_gains_must_be_positive():
    # intervals far below 0 are significant, but not "above 0"
    worse = plug_in_power([-3.0, -3.0], np.eye(2), 8, sims=5000)
    assert worse['holm'] == worse['bonferroni'] == 0


def test_reads_the_primaries_of_a_results_json(tmp_path, capsys):
    scores = {'baseline': [30.0, 31.0, 29.5, 30.5],
              'kd': [30.2, 31.1, 29.4, 30.9],
              'gdkd': [31.5, 33.0, 30.2, 32.1]}
    res = analyse(scores, [1, 2, 3, 4], split='val')
    diffs = primary_diffs(res)
    assert diffs.shape == (4, 2)
    assert diffs[:, 0] == pytest.approx([1.5, 2.0, 0.7, 1.6])
    assert diffs[:, 1] == pytest.approx([1.3, 1.9, 0.8, 1.2])
    path = tmp_path / 'results.json'
    path.write_text(json.dumps(res))
    main([str(path), '--n', '4', '8', '--sims', '2000'])
    out = capsys.readouterr().out
    assert 'pilot: 4 seeds [1, 2, 3, 4], split val' in out
    assert 'gdkd - baseline: mean +1.450' in out
    assert '| 8 | ' in out
    with pytest.raises(SystemExit, match='twice'):
        main([str(path), str(path)])
    # the same numbers typed in (as the README gives them)
    main(['--diffs', '1.5 2.0 0.7 1.6', '1.3 1.9 0.8 1.2', '--n', '4', '8',
          '--sims', '2000'])
    typed = capsys.readouterr().out
    assert typed.split('\n', 1)[1] == out.split('\n', 1)[1]
