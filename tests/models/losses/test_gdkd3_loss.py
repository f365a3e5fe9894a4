"""GDKD3: hand values, the KD identity, k checks, extremes, registry."""
import importlib
import math
from fractions import Fraction

import numpy as np
import pytest
import torch

from gdkd_seg.models.losses import GDKD3Loss, gdkd3_loss, kd_loss
from tests.models.losses.conftest import kl_fractions, zscore

SHAPE = (2, 6, 3, 7)  # N, C, H, W with H != W != C
HP = dict(w0=1.5, w1=0.7, w2=3.0)


@pytest.mark.parametrize('T', [1.0, 2.0])
def test_hand_value_one_row_five_classes(T):
    # q = (5, 4, 3, 2, 1) / 15 (teacher, decreasing), p = (1, 1, 1, 1, 2) / 6
    # k = 3: U1 = {0}, U2 = {1, 2}, U3 = {3, 4}
    #   masses q (1/3, 7/15, 1/5), p (1/6, 1/3, 1/2)
    #   U2: q| = (4/7, 3/7), p| = (1/2, 1/2)
    #   U3: q| = (2/3, 1/3), p| = (1/3, 2/3) -> low_other = 1/3 log 2
    q = [Fraction(n, 15) for n in (5, 4, 3, 2, 1)]
    p = [Fraction(n, 6) for n in (1, 1, 1, 1, 2)]
    masses_q = [q[0], q[1] + q[2], q[3] + q[4]]
    masses_p = [p[0], p[1] + p[2], p[3] + p[4]]
    assert masses_q == [Fraction(1, 3), Fraction(7, 15), Fraction(1, 5)]
    high = kl_fractions(masses_q, masses_p)
    low_top2k = kl_fractions([q[1] / masses_q[1], q[2] / masses_q[1]],
                             [p[1] / masses_p[1], p[2] / masses_p[1]])
    low_other = kl_fractions([q[3] / masses_q[2], q[4] / masses_q[2]],
                             [p[3] / masses_p[2], p[4] / masses_p[2]])
    assert low_other == pytest.approx(math.log(2) / 3, rel=1e-15)
    assert low_top2k == pytest.approx(
        4 / 7 * math.log(8 / 7) + 3 / 7 * math.log(6 / 7), rel=1e-14)
    # chain rule: KD = high + m_U2 low_top2k + m_U3 low_other
    assert kl_fractions(q, p) == pytest.approx(
        high + float(masses_q[1]) * low_top2k +
        float(masses_q[2]) * low_other, rel=1e-14)

    s = T * torch.tensor([[1., 1., 1., 1., 2.]], dtype=torch.float64).log()
    t = T * torch.tensor([[5., 4., 3., 2., 1.]], dtype=torch.float64).log()
    loss, parts = gdkd3_loss(s, t, k=3, temperature=T, return_parts=True,
                             **HP)
    for name, value in [('high', high), ('low_top2k', low_top2k),
                        ('low_other', low_other)]:
        assert parts[name].item() == pytest.approx(T**2 * value, rel=1e-13)
    total = HP['w0'] * high + HP['w1'] * low_top2k + HP['w2'] * low_other
    assert loss.item() == pytest.approx(T**2 * total, rel=1e-13)


@pytest.mark.parametrize('logit_stand', [False, True])
@pytest.mark.parametrize('k', [2, 3, 5])
def test_maps_match_naive_reference(logits, labels, naive, logit_stand, k):
    s, t = logits(SHAPE, seed=0), logits(SHAPE, seed=1)
    y = labels((2, 3, 7), 6, seed=2, ignore_frac=0.25)
    hp = dict(HP, k=k, temperature=2.5)
    loss_map, parts = gdkd3_loss(s, t, y, logit_stand=logit_stand,
                                 reduction='none', return_parts=True, **hp)
    ref = naive.loss_map('gdkd3', s, t, y, hp, logit_stand, ignore_index=255)
    np.testing.assert_allclose(loss_map.numpy(), ref['total'], rtol=1e-11,
                               atol=1e-13)
    for name in ('high', 'low_top2k', 'low_other'):
        np.testing.assert_allclose(parts[name].numpy(), ref[name],
                                   rtol=1e-11, atol=1e-13)
    if k == 2:  # ranks 2..k hold one class: no inner term
        assert (parts['low_top2k'] == 0).all()


@pytest.mark.parametrize('logit_stand', [False, True])
@pytest.mark.parametrize('k', [2, 4])
def test_kd_is_high3_plus_mass_weighted_lows(logits, labels, logit_stand, k):
    """Per pixel: KD = high3 + m_2k low_top2k + m_other low_other (the
    top-1 group has no inner term), teacher masses at temperature T."""
    s, t = logits(SHAPE, seed=3), logits(SHAPE, seed=4)
    y = labels((2, 3, 7), 6, seed=5, ignore_frac=0.25)
    T = 3.0
    kw = dict(temperature=T, logit_stand=logit_stand, reduction='none')
    _, parts = gdkd3_loss(s, t, y, k=k, return_parts=True, **kw)
    q = torch.softmax((zscore(t) if logit_stand else t) / T, 1)
    ranked = q.sort(dim=1, descending=True).values
    m_1, m_2k = ranked[:, 0], ranked[:, 1:k].sum(1)
    chain = parts['high'] + m_2k * parts['low_top2k'] + (
        1 - m_1 - m_2k) * parts['low_other']
    kd = kd_loss(s, t, y, **kw)
    torch.testing.assert_close(chain * (y != 255), kd, rtol=1e-12,
                               atol=1e-13)


def test_k_range(logits):
    s, t = logits(SHAPE, seed=6), logits(SHAPE, seed=7)
    for k in (1, 0):
        with pytest.raises(ValueError, match='k >= 2|k < C'):
            gdkd3_loss(s, t, k=k)
    for k in (6, 7):
        with pytest.raises(ValueError, match='k < C'):
            gdkd3_loss(s, t, k=k)
    with pytest.raises(ValueError, match='k >= 2'):
        GDKD3Loss(k=1)
    assert torch.isfinite(gdkd3_loss(s, t, k=5))
    for k in (2.5, True):  # True would pass as 1
        with pytest.raises(TypeError, match='GDKD3 needs an integer k'):
            gdkd3_loss(s, t, k=k)
        with pytest.raises(TypeError, match='GDKD3 needs an integer k'):
            GDKD3Loss(k=k)


@pytest.mark.parametrize('weights', [dict(w0=-1.), dict(w1=-0.1),
                                     dict(w2=-2.)])
def test_negative_weights_raise(logits, weights):
    s = logits(SHAPE, seed=8)
    with pytest.raises(ValueError, match='must be >= 0'):
        gdkd3_loss(s, s, **weights)
    with pytest.raises(ValueError, match='must be >= 0'):
        GDKD3Loss(**weights)


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('case', ['student', 'teacher', 'both', 'groups'])
@pytest.mark.parametrize('gap', [1e3, 1e4])
def test_extreme_logits_are_exact(logits, naive, with_gap, dtype, case,
                                  gap):
    """As for GDKD; 'groups' lifts the teacher's ranks 2..k far above the
    rest and its top-1 further still, so all three masses are extreme."""
    T, k = 1.0, 4
    s = logits(SHAPE, seed=9, dtype=dtype)
    t = logits(SHAPE, seed=10, dtype=dtype)
    if case in ('student', 'both'):
        s = with_gap(s, gap, seed=11)
    if case in ('teacher', 'both'):
        t = with_gap(t, gap, seed=12)
    if case == 'groups':
        top = t.topk(k, dim=1).indices  # sorted: top-1 first
        lift = torch.full(top.shape, gap, dtype=dtype)
        lift[:, 0] *= 2
        t = t.scatter_add(1, top, lift)
        s = s.scatter_add(1, top.flip(1), lift)
    hp = dict(HP, k=k, temperature=T)
    s.requires_grad_()
    out, parts = gdkd3_loss(s, t, reduction='none', return_parts=True, **hp)
    out.sum().backward()
    assert torch.isfinite(out).all() and torch.isfinite(s.grad).all()
    ref = naive.loss_map('gdkd3', s, t, None, hp, exact=True)
    # logits of size ~gap carry a rounding of eps * gap, which every
    # log-sum-exp inherits (measured: <= 7 eps * gap vs 50 digits)
    eps = torch.finfo(dtype).eps
    for name in ('high', 'low_top2k', 'low_other'):
        np.testing.assert_allclose(parts[name].detach().double().numpy(),
                                   ref[name], rtol=0, atol=16 * eps * gap)
    np.testing.assert_allclose(out.detach().double().numpy(), ref['total'],
                               rtol=0, atol=16 * eps * gap)


@pytest.mark.parametrize('registry', ['mmengine', 'mmseg', 'mmpretrain'])
def test_registry_builds_gdkd3_loss(registry, logits, labels):
    import gdkd_seg  # noqa: F401  (registers the losses)
    MODELS = importlib.import_module(f'{registry}.registry').MODELS
    cfg = dict(k=3, w0=0.5, w1=2.0, w2=4.0, temperature=1.5)
    loss = MODELS.build(dict(type='GDKD3Loss', loss_weight=2.0, **cfg))
    assert type(loss) is GDKD3Loss
    s, t = logits(SHAPE, seed=13), logits(SHAPE, seed=14)
    y = labels((2, 3, 7), 6, seed=15, ignore_frac=0.2)
    ref, ref_parts = gdkd3_loss(s, t, y, return_parts=True, **cfg)
    value, parts = loss(s, t, y, return_parts=True)
    torch.testing.assert_close(value, 2.0 * ref, rtol=1e-15, atol=0)
    torch.testing.assert_close(parts, ref_parts, rtol=0, atol=0)
    for text in ('k=3', 'w0=0.5', 'w1=2.0', 'w2=4.0', 'temperature=1.5',
                 'loss_weight=2.0'):
        assert text in repr(loss)


def test_gradcheck_every_term(logits):
    """Each term's own gradient, not only the weighted total's: the
    parts may be back-propagated on their own."""
    s = logits((2, 6, 2, 3), seed=16).requires_grad_()
    t = logits((2, 6, 2, 3), seed=17)

    def terms(x):
        _, parts = gdkd3_loss(x, t, k=3, reduction='none',
                              return_parts=True, **HP)
        return parts['high'], parts['low_top2k'], parts['low_other']

    assert torch.autograd.gradcheck(terms, (s, ))
