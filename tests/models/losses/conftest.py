"""Fixtures and helpers of the loss tests: a naive float64 reference,
the losses with test settings, and the small helpers several test files
share (import them from here: ``from tests.models.losses.conftest import
kl_fractions``).

The reference is written in the most obvious way on purpose -- a Python
loop over pixels, numpy softmax, explicit subset renormalisation -- so that
it shares no code and no trick with ``gdkd_seg.models.losses``.
"""
import decimal
import math
from types import SimpleNamespace
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gdkd_seg.models.losses import dkd_loss, gdkd3_loss, gdkd_loss, kd_loss

# Hyperparameters used by the generic tests: weights != 1 and T != 1 so
# that a dropped weight or a missing T^2 shows; C = 5 classes so that
# GDKD3 with k = 3 still has two classes in its "other" group.
HPARAMS = {
    'kd': dict(temperature=2.0),
    'dkd': dict(alpha=1.5, beta=3.0, temperature=2.0),
    'gdkd': dict(k=2, w0=1.5, w1=0.7, w2=3.0, temperature=2.0),
    'gdkd3': dict(k=3, w0=1.5, w1=0.7, w2=3.0, temperature=2.0),
}
FUNCTIONS = dict(kd=kd_loss, dkd=dkd_loss, gdkd=gdkd_loss, gdkd3=gdkd3_loss)
PART_NAMES = {
    'kd': (),
    'dkd': ('tckd', 'nckd'),
    'gdkd': ('high', 'low_top', 'low_other'),
    'gdkd3': ('high', 'low_top2k', 'low_other'),
}


# ----------------------------------------------------------------------
# helpers shared by several test files
# ----------------------------------------------------------------------
def kl_fractions(q, p) -> float:
    """``sum_i q_i log(q_i / p_i)`` for exact rational ``q, p`` (only the
    logs are rounded)."""
    return sum(float(qi) * math.log(qi / pi) for qi, pi in zip(q, p) if qi)


def zscore(x: torch.Tensor) -> torch.Tensor:
    """Unbiased Z-score over dim 1 with torch's own mean and std, written
    out for the tests (not the package's fused kernel)."""
    return (x - x.mean(1, keepdim=True)) / (x.std(1, keepdim=True) + 1e-7)


# ----------------------------------------------------------------------
# naive per-pixel reference (float64 numpy, one class vector at a time)
# ----------------------------------------------------------------------
def np_standardize(z: np.ndarray) -> np.ndarray:
    """Z-score with the unbiased std plus 1e-7 (Sun et al.)."""
    mean = z.sum() / len(z)
    std = np.sqrt(((z - mean)**2).sum() / (len(z) - 1))
    return (z - mean) / (std + 1e-7)


def np_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def np_kl(q: np.ndarray, p: np.ndarray) -> float:
    """sum q log(q / p) with 0 log 0 = 0."""
    keep = q > 0
    return float((q[keep] * np.log(q[keep] / p[keep])).sum())


def naive_terms(s: np.ndarray, t: np.ndarray, groups: Sequence[List[int]],
                T: float) -> Dict[str, float]:
    """KL terms of one pixel for explicit class groups plus the rest.

    Probabilities first, then masses and renormalised conditionals, as a
    textbook would write it (fine for ordinary logits; it underflows on
    extreme ones, where ``exact_terms`` is used instead).
    """
    p, q = np_softmax(s / T), np_softmax(t / T)
    rest = [i for i in range(len(s)) if not any(i in g for g in groups)]
    sets = [list(g) for g in groups] + [rest]
    masses_p = np.array([p[g].sum() for g in sets])
    masses_q = np.array([q[g].sum() for g in sets])
    out = {'high': np_kl(masses_q, masses_p), 'kd': np_kl(q, p),
           'masses_q': masses_q}
    for j, g in enumerate(sets):
        out[f'low{j}'] = np_kl(q[g] / q[g].sum(), p[g] / p[g].sum())
    out['rest'] = out.pop(f'low{len(groups)}')
    return out


def exact_terms(s: np.ndarray, t: np.ndarray, groups: Sequence[List[int]],
                T: float) -> Dict[str, float]:
    """The same terms in the log domain with 50-digit decimals.

    Each subset gets its own log-sum-exp and no probability is formed
    before its logarithm, so the result is exact (to far below float64
    rounding) for any finite logits, however extreme.
    """
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        temp = decimal.Decimal(float(T))
        a = [decimal.Decimal(float(x)) / temp for x in s]
        b = [decimal.Decimal(float(x)) / temp for x in t]

        def lse(x):
            m = max(x)
            return m + sum((xi - m).exp() for xi in x).ln()

        def kl_log(lq, lp):  # KL from log-probabilities
            return float(sum(q.exp() * (q - p) for q, p in zip(lq, lp)))

        rest = [i for i in range(len(a)) if not any(i in g for g in groups)]
        sets = [list(g) for g in groups] + [rest]
        lse_a, lse_b = lse(a), lse(b)
        lm_p = [lse([a[i] for i in g]) - lse_a for g in sets]
        lm_q = [lse([b[i] for i in g]) - lse_b for g in sets]
        out = {
            'high': kl_log(lm_q, lm_p),
            'kd': kl_log([x - lse_b for x in b], [x - lse_a for x in a]),
            'masses_q': np.array([float(m.exp()) for m in lm_q])
        }
        for j, g in enumerate(sets):
            a_g, b_g = [a[i] for i in g], [b[i] for i in g]
            la, lb = lse(a_g), lse(b_g)
            out[f'low{j}'] = kl_log([x - lb for x in b_g],
                                    [x - la for x in a_g])
    out['rest'] = out.pop(f'low{len(groups)}')
    return out


def float64_terms(s: np.ndarray, t: np.ndarray, groups: Sequence[List[int]],
                  T: float) -> Dict[str, float]:
    """The terms of :func:`exact_terms` in float64: the same log-domain
    definitions (each subset its own log-sum-exp, no probability formed
    before its logarithm), rounded at 1e-16 instead of 1e-50; fast
    enough for many pixels."""

    def lse(x):
        m = x.max()
        return m + math.log(np.exp(x - m).sum())

    def kl_log(lq, lp):
        return float((np.exp(lq) * (lq - lp)).sum())

    a, b = np.asarray(s, float) / T, np.asarray(t, float) / T
    rest = [i for i in range(len(a)) if not any(i in g for g in groups)]
    sets = [list(g) for g in groups] + [rest]
    lm_p = np.array([lse(a[g]) for g in sets]) - lse(a)
    lm_q = np.array([lse(b[g]) for g in sets]) - lse(b)
    out = {'high': kl_log(lm_q, lm_p), 'kd': kl_log(b - lse(b), a - lse(a)),
           'masses_q': np.exp(lm_q)}
    for j, g in enumerate(sets):
        out[f'low{j}'] = kl_log(b[g] - lse(b[g]), a[g] - lse(a[g]))
    out['rest'] = out.pop(f'low{len(groups)}')
    return out


def pixel_groups(name: str, t: np.ndarray, label: int,
                 hp: dict) -> List[List[int]]:
    """The partition of one pixel, chosen from the teacher's ranking."""
    order = list(np.argsort(-t, kind='stable'))  # descending
    if name == 'dkd':
        return [[int(label)]]
    if name == 'gdkd':
        return [order[:hp['k']]]
    if name == 'gdkd3':
        return [order[:1], order[1:hp['k']]]
    return []


def pixel_loss(name: str, terms: Dict[str, float],
               hp: dict) -> Dict[str, float]:
    """Weighted total and the named (unweighted) parts of one pixel,
    all times T^2."""
    T2 = hp['temperature']**2
    if name == 'kd':
        return {'total': T2 * terms['kd']}
    if name == 'dkd':
        parts = {'tckd': terms['high'], 'nckd': terms['rest']}
        total = hp['alpha'] * parts['tckd'] + hp['beta'] * parts['nckd']
    elif name == 'gdkd':
        parts = {'high': terms['high'], 'low_top': terms['low0'],
                 'low_other': terms['rest']}
        total = (hp['w0'] * parts['high'] + hp['w1'] * parts['low_top'] +
                 hp['w2'] * parts['low_other'])
    else:
        parts = {'high': terms['high'], 'low_top2k': terms['low1'],
                 'low_other': terms['rest']}
        total = (hp['w0'] * parts['high'] + hp['w1'] * parts['low_top2k'] +
                 hp['w2'] * parts['low_other'])
    out = {k: T2 * v for k, v in parts.items()}
    out['total'] = T2 * total
    return out


def naive_loss_map(name: str,
                   student: torch.Tensor,
                   teacher: torch.Tensor,
                   target: Optional[torch.Tensor],
                   hp: dict,
                   logit_stand: bool = False,
                   ignore_index: Optional[int] = None,
                   exact: Union[bool, str] = False,
                   groups_fn=pixel_groups) -> Dict[str, np.ndarray]:
    """Per-pixel loss maps ``(N, ...)`` by a plain loop over the pixels.

    ``target`` (at the logits' resolution) marks ignored pixels (0 there)
    and is DKD's label. With ``exact`` the 50-digit log-domain terms are
    used (``'float64'``: the same in float64). ``groups_fn(name, t,
    label, hp)`` partitions a pixel (by default from the teacher's
    ranking, ties to the lower class index).
    """
    s_all = np.moveaxis(student.detach().double().numpy(), 1, -1)
    t_all = np.moveaxis(teacher.detach().double().numpy(), 1, -1)
    y_all = None if target is None else target.numpy()
    names = ('total', ) + PART_NAMES[name]
    maps = {k: np.zeros(s_all.shape[:-1]) for k in names}
    for pos in np.ndindex(*s_all.shape[:-1]):  # (n,) or (n, h, w)
        label = None if y_all is None else int(y_all[pos])
        if ignore_index is not None and label == ignore_index:
            continue
        s, t = s_all[pos], t_all[pos]
        if logit_stand:
            s, t = np_standardize(s), np_standardize(t)
        groups = groups_fn(name, t, label, hp)
        terms_fn = float64_terms if exact == 'float64' else (
            exact_terms if exact else naive_terms)
        terms = terms_fn(s, t, groups, hp['temperature'])
        for k, v in pixel_loss(name, terms, hp).items():
            maps[k][pos] = v
    return maps


@pytest.fixture(scope='session')
def naive():
    """The naive reference, as a namespace of plain functions."""
    return SimpleNamespace(
        standardize=np_standardize,
        softmax=np_softmax,
        kl=np_kl,
        terms=naive_terms,
        exact_terms=exact_terms,
        float64_terms=float64_terms,
        loss_map=naive_loss_map,
        groups=pixel_groups)


# ----------------------------------------------------------------------
# the losses under test, with the generic hyperparameters
# ----------------------------------------------------------------------
@pytest.fixture(params=sorted(FUNCTIONS))
def loss_case(request):
    """``(name, fn, hp)``: each functional loss with test settings.

    ``fn(student, teacher, target, **kw)`` calls the loss with ``hp``
    (overridable by ``kw``).
    """
    name = request.param
    hp = HPARAMS[name]

    def fn(student, teacher, target, **kw):
        return FUNCTIONS[name](student, teacher, target, **dict(hp, **kw))

    return name, fn, hp


@pytest.fixture
def logits():
    """``logits(shape, seed, scale=3., dtype=float64)``: random logits."""

    def make(shape, seed, scale=3.0, dtype=torch.float64):
        g = torch.Generator().manual_seed(seed)
        return (scale * torch.randn(shape, generator=g,
                                    dtype=torch.float64)).to(dtype)

    return make


@pytest.fixture
def labels():
    """``labels(shape, C, seed, ignore_frac=0.)``: int64 labels with a
    fraction set to 255 (at least one valid pixel is kept)."""

    def make(shape, num_classes, seed, ignore_frac=0.0):
        g = torch.Generator().manual_seed(seed)
        y = torch.randint(0, num_classes, shape, generator=g)
        ignored = torch.rand(shape, generator=g) < ignore_frac
        ignored.view(-1)[0] = False
        return y.masked_fill(ignored, 255)

    return make


@pytest.fixture
def with_gap():
    """``with_gap(x, gap, seed, cls=None)``: add ``gap`` to one class per
    pixel (random, or the given ``(N, 1, ...)`` class map)."""

    def add(x, gap, seed, cls=None):
        if cls is None:
            g = torch.Generator().manual_seed(seed)
            cls = torch.randint(0, x.shape[1], (x.shape[0], 1) + x.shape[2:],
                                generator=g)
        return x.scatter_add(1, cls, torch.full(cls.shape, gap,
                                                dtype=x.dtype))

    return add


# ----------------------------------------------------------------------
# the upstream formulas (docs/losses.md §3, §4, §12), used only to show
# that an input is extreme: summed probabilities before the log, and the
# -1000 mask instead of an exact restricted softmax
# ----------------------------------------------------------------------
def upstream_binary_kl(s, t, mask, T):
    """KL of the (mask, rest) masses, built by summing probabilities."""
    ps, pt = F.softmax(s / T, dim=1), F.softmax(t / T, dim=1)
    bs = torch.stack([(ps * mask).sum(1), (ps * ~mask).sum(1)], dim=1)
    bt = torch.stack([(pt * mask).sum(1), (pt * ~mask).sum(1)], dim=1)
    return F.kl_div(bs.log(), bt, reduction='none').sum(1)


def upstream_masked_kl(s, t, exclude, T):
    """KL of the conditionals outside ``exclude``, by the -1000 mask."""
    ls = F.log_softmax(s / T - 1000 * exclude, dim=1)
    lt = F.log_softmax(t / T - 1000 * exclude, dim=1)
    return F.kl_div(ls, lt, reduction='none', log_target=True).sum(1)


@pytest.fixture(scope='session')
def upstream():
    return SimpleNamespace(binary_kl=upstream_binary_kl,
                           masked_kl=upstream_masked_kl)
