"""GDKD: hand values, identities with KD and DKD, k checks, extremes."""
import importlib
import math
from fractions import Fraction

import numpy as np
import pytest
import torch

from gdkd_seg.models.losses import (DKDLoss, GDKDLoss, dkd_loss, gdkd_loss,
                                    kd_loss)
from tests.models.losses.conftest import kl_fractions, zscore

SHAPE = (2, 5, 3, 7)  # N, C, H, W with H != W != C
HP = dict(w0=1.5, w1=0.7, w2=3.0)


def teacher_topk_mask(t, k, T, logit_stand):
    z = zscore(t) if logit_stand else t
    order = (z / T).argsort(dim=1, descending=True, stable=True)
    return torch.zeros_like(t, dtype=torch.bool).scatter_(1, order[:, :k],
                                                          True)


# p = (1/4, 1/4, 1/2) (student), q = (1/2, 1/3, 1/6) (teacher)
P3 = [Fraction(1, 4), Fraction(1, 4), Fraction(1, 2)]
Q3 = [Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)]


def hand_terms(k):
    """The GDKD terms of (P3, Q3) with U1 = the teacher's top k classes
    (classes 0..k-1, as q is decreasing), from exact fractions:

    k = 1: masses q (1/2, 1/2), p (1/4, 3/4): high = 1/2 log(4/3);
           rest q|R = (2/3, 1/3), p|R = (1/3, 2/3): low_other = 1/3 log 2
    k = 2: masses q (5/6, 1/6), p (1/2, 1/2):
           high = 5/6 log(5/3) + 1/6 log(1/3);
           top q|U1 = (3/5, 2/5), p|U1 = (1/2, 1/2):
           low_top = 3/5 log(6/5) + 2/5 log(4/5); one-class rest: 0
    """
    top, rest = range(k), range(k, 3)
    mq, mp = sum(Q3[i] for i in top), sum(P3[i] for i in top)
    return {
        'high': kl_fractions([mq, 1 - mq], [mp, 1 - mp]),
        'low_top': kl_fractions([Q3[i] / mq for i in top],
                                [P3[i] / mp for i in top]),
        'low_other': kl_fractions([Q3[i] / (1 - mq) for i in rest],
                                  [P3[i] / (1 - mp) for i in rest]),
    }


def test_hand_terms_closed_forms():
    one, two = hand_terms(1), hand_terms(2)
    assert one['high'] == pytest.approx(math.log(4 / 3) / 2, rel=1e-15)
    assert one['low_top'] == 0
    assert one['low_other'] == pytest.approx(math.log(2) / 3, rel=1e-15)
    assert two['high'] == pytest.approx(
        5 / 6 * math.log(5 / 3) + math.log(1 / 3) / 6, rel=1e-15)
    assert two['low_top'] == pytest.approx(
        0.6 * math.log(1.2) + 0.4 * math.log(0.8), rel=1e-14)
    assert two['low_other'] == 0
    # KD of the row = (7/6) log 2 - 1/2 log 3, and the chain rule holds
    kd = kl_fractions(Q3, P3)
    assert kd == pytest.approx(7 / 6 * math.log(2) - math.log(3) / 2)
    assert one['high'] + 0.5 * one['low_other'] == pytest.approx(kd)
    assert two['high'] + 5 / 6 * two['low_top'] == pytest.approx(kd)


@pytest.mark.parametrize('k', [1, 2])
@pytest.mark.parametrize('T', [1.0, 2.0])
def test_hand_value_one_row_three_classes(k, T):
    s = T * torch.tensor([[1., 1., 2.]], dtype=torch.float64).log()
    t = T * torch.tensor([[3., 2., 1.]], dtype=torch.float64).log()
    loss, parts = gdkd_loss(s, t, k=k, temperature=T, return_parts=True,
                            **HP)
    ref = hand_terms(k)
    for name, value in ref.items():
        assert parts[name].item() == pytest.approx(T**2 * value, rel=1e-13,
                                                   abs=1e-15)
    total = HP['w0'] * ref['high'] + HP['w1'] * ref['low_top'] + HP[
        'w2'] * ref['low_other']
    assert loss.item() == pytest.approx(T**2 * total, rel=1e-13)


@pytest.mark.parametrize('logit_stand', [False, True])
@pytest.mark.parametrize('k', [1, 2, 4])
def test_maps_match_naive_reference(logits, labels, naive, logit_stand, k):
    s, t = logits(SHAPE, seed=0), logits(SHAPE, seed=1)
    y = labels((2, 3, 7), 5, seed=2, ignore_frac=0.25)
    hp = dict(HP, k=k, temperature=2.5)
    loss_map, parts = gdkd_loss(s, t, y, logit_stand=logit_stand,
                                reduction='none', return_parts=True, **hp)
    ref = naive.loss_map('gdkd', s, t, y, hp, logit_stand, ignore_index=255)
    np.testing.assert_allclose(loss_map.numpy(), ref['total'], rtol=1e-11,
                               atol=1e-13)
    for name in ('high', 'low_top', 'low_other'):
        np.testing.assert_allclose(parts[name].numpy(), ref[name],
                                   rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize('logit_stand', [False, True])
@pytest.mark.parametrize('k', [1, 2, 4])
def test_kd_is_high_plus_mass_weighted_lows(logits, labels, logit_stand, k):
    """Per pixel: KD = high + m_top low_top + m_other low_other, with the
    teacher's masses at temperature T (docs/losses.md §4)."""
    s, t = logits(SHAPE, seed=3), logits(SHAPE, seed=4)
    y = labels((2, 3, 7), 5, seed=5, ignore_frac=0.25)
    T = 3.0
    kw = dict(temperature=T, logit_stand=logit_stand, reduction='none')
    _, parts = gdkd_loss(s, t, y, k=k, return_parts=True, **kw)
    top = teacher_topk_mask(t, k, T, logit_stand)
    q = torch.softmax((zscore(t) if logit_stand else t) / T, 1)
    m_top = (q * top).sum(1)
    kd = kd_loss(s, t, y, **kw)
    chain = parts['high'] + m_top * parts['low_top'] + (
        1 - m_top) * parts['low_other']
    torch.testing.assert_close(chain * (y != 255), kd, rtol=1e-12,
                               atol=1e-13)


@pytest.mark.parametrize('logit_stand', [False, True])
def test_top1_equals_dkd_with_teacher_argmax(logits, labels, logit_stand):
    """GDKD(k=1; w0, w2) = DKD(alpha=w0, beta=w2) with the label replaced
    by the teacher's argmax; the label only marks ignored pixels."""
    s, t = logits(SHAPE, seed=6), logits(SHAPE, seed=7)
    y = labels((2, 3, 7), 5, seed=8, ignore_frac=0.25)
    kw = dict(temperature=2.0, logit_stand=logit_stand, reduction='none',
              return_parts=True)
    g_map, g_parts = gdkd_loss(s, t, y, k=1, w0=1.5, w1=9.0, w2=3.0, **kw)
    top1 = t.argmax(1).masked_fill(y == 255, 255)
    d_map, d_parts = dkd_loss(s, t, top1, alpha=1.5, beta=3.0, **kw)
    torch.testing.assert_close(g_map, d_map, rtol=1e-14, atol=1e-15)
    torch.testing.assert_close(g_parts['high'], d_parts['tckd'], rtol=1e-14,
                               atol=1e-15)
    torch.testing.assert_close(g_parts['low_other'], d_parts['nckd'],
                               rtol=1e-14, atol=1e-15)
    assert (g_parts['low_top'] == 0).all()  # w1 = 9 has no effect


def test_labels_only_mark_ignored_pixels(logits, labels):
    s, t = logits(SHAPE, seed=9), logits(SHAPE, seed=10)
    y = labels((2, 3, 7), 5, seed=11, ignore_frac=0.25)
    shuffled = torch.where(y == 255, y, (y + 2) % 5)
    assert gdkd_loss(s, t, y) == gdkd_loss(s, t, shuffled)
    assert gdkd_loss(s, t, y) != gdkd_loss(s, t, y.clamp(max=4))


def test_k_must_leave_an_other_group(logits):
    s, t = logits(SHAPE, seed=12), logits(SHAPE, seed=13)
    for k in (0, 5, 6):
        with pytest.raises(ValueError, match='k < C'):
            gdkd_loss(s, t, k=k)
    with pytest.raises(ValueError, match='k >= 1'):
        GDKDLoss(k=0)
    with pytest.raises(ValueError, match='k < C'):
        GDKDLoss(k=5)(s, t)


@pytest.mark.parametrize('k', [2.5, 2.0, True, '2', None])
def test_k_must_be_an_integer(logits, k):
    """A float or bool k (True would pass as 1) is a TypeError naming k,
    from the function and the registered module."""
    s, t = logits(SHAPE, seed=12), logits(SHAPE, seed=13)
    with pytest.raises(TypeError, match='GDKD needs an integer k'):
        gdkd_loss(s, t, k=k)
    with pytest.raises(TypeError, match='GDKD needs an integer k'):
        GDKDLoss(k=k)
    assert torch.isfinite(gdkd_loss(s, t, k=np.int64(2)))


@pytest.mark.parametrize('weights', [dict(w0=-1.), dict(w1=-0.1),
                                     dict(w2=-2.)])
def test_negative_weights_raise(logits, weights):
    s = logits(SHAPE, seed=14)
    with pytest.raises(ValueError, match='must be >= 0'):
        gdkd_loss(s, s, **weights)
    with pytest.raises(ValueError, match='must be >= 0'):
        GDKDLoss(**weights)


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('case', ['student', 'teacher', 'both', 'groups'])
@pytest.mark.parametrize('gap', [1e3, 1e4])
def test_extreme_logits_are_exact(logits, naive, upstream, with_gap, dtype,
                                  case, gap):
    """Gaps of 1e3..1e4 (T = 1, k = 2): one student class far on top,
    one teacher class far on top, both, or the teacher's whole top-k group
    far above the rest, in the student too but with its second class
    further still (then both networks' rest masses underflow, and the two
    disagree by ~gap inside U1)."""
    T, k = 1.0, 2
    s = logits(SHAPE, seed=15, dtype=dtype)
    t = logits(SHAPE, seed=16, dtype=dtype)
    if case in ('student', 'both'):
        s = with_gap(s, gap, seed=17)
    if case in ('teacher', 'both'):
        t = with_gap(t, gap, seed=18)
    if case == 'groups':
        top = t.topk(k, dim=1).indices  # sorted: top-1 first
        lift = torch.full(top.shape, gap, dtype=dtype)
        t = t.scatter_add(1, top, lift)
        lift[:, 1] *= 2
        s = s.scatter_add(1, top, lift)
    hp = dict(HP, k=k, temperature=T)
    s.requires_grad_()
    out, parts = gdkd_loss(s, t, reduction='none', return_parts=True, **hp)
    out.sum().backward()
    assert torch.isfinite(out).all() and torch.isfinite(s.grad).all()
    ref = naive.loss_map('gdkd', s, t, None, hp, exact=True)
    # logits of size ~gap carry a rounding of eps * gap, which every
    # log-sum-exp inherits (measured: <= 7 eps * gap vs 50 digits)
    eps = torch.finfo(dtype).eps
    for name in ('high', 'low_top', 'low_other'):
        np.testing.assert_allclose(parts[name].detach().double().numpy(),
                                   ref[name], rtol=0, atol=16 * eps * gap)
    np.testing.assert_allclose(out.detach().double().numpy(), ref['total'],
                               rtol=0, atol=16 * eps * gap)

    # the same inputs break the reference formulas
    top = teacher_topk_mask(t, k, T, False)
    s32, t32 = s.detach().float(), t.float()
    if case in ('student', 'groups'):
        assert not torch.isfinite(upstream.binary_kl(s32, t32, top, T)).all()
    if case == 'teacher':
        # the teacher's top class is far ahead of the other top-k class,
        # so the -1000 mask of low_other leaks
        leak = upstream.masked_kl(s32, t32, top.float(), T).double() - \
            torch.from_numpy(ref['low_other'])
        assert leak.abs().max() > 100


@pytest.mark.parametrize('registry', ['mmengine', 'mmseg', 'mmpretrain'])
def test_registry_builds_gdkd_loss(registry, logits, labels):
    import gdkd_seg  # noqa: F401  (registers the losses)
    MODELS = importlib.import_module(f'{registry}.registry').MODELS
    cfg = dict(k=2, w0=0.5, w1=2.0, w2=4.0, temperature=1.5,
               logit_stand=True)
    loss = MODELS.build(dict(type='GDKDLoss', loss_weight=3.0, **cfg))
    assert type(loss) is GDKDLoss
    assert type(MODELS.build(dict(type='DKDLoss'))) is DKDLoss
    s, t = logits(SHAPE, seed=19), logits(SHAPE, seed=20)
    y = labels((2, 3, 7), 5, seed=21, ignore_frac=0.2)
    ref, ref_parts = gdkd_loss(s, t, y, return_parts=True, **cfg)
    value, parts = loss(s, t, y, return_parts=True)
    torch.testing.assert_close(value, 3.0 * ref, rtol=1e-15, atol=0)
    torch.testing.assert_close(parts, ref_parts, rtol=0, atol=0)
    for text in ('k=2', 'w0=0.5', 'w1=2.0', 'w2=4.0', 'temperature=1.5',
                 'logit_stand=True', 'loss_weight=3.0'):
        assert text in repr(loss)


def test_each_low_term_moves_only_its_group(logits):
    """low_top's gradient is 0 outside U1 and low_other's 0 on U1; with
    k = 1 low_top is exactly 0 and its weight changes neither the total
    nor the gradient (a one-class group has no inner distribution)."""
    s = logits(SHAPE, seed=30).requires_grad_()
    t = logits(SHAPE, seed=31)
    in_top = teacher_topk_mask(t, 2, 1.0, False)
    _, parts = gdkd_loss(s, t, k=2, return_parts=True)
    top_grad, = torch.autograd.grad(parts['low_top'], s, retain_graph=True)
    other_grad, = torch.autograd.grad(parts['low_other'], s)
    assert (top_grad[~in_top] == 0).all() and (top_grad[in_top] != 0).all()
    assert (other_grad[in_top] == 0).all() and (other_grad[~in_top] !=
                                                0).all()
    out = []
    for w1 in (0.0, 9.0):
        loss = gdkd_loss(s, t, k=1, w1=w1)
        out.append((loss, torch.autograd.grad(loss, s)[0]))
    assert torch.equal(out[0][0], out[1][0])
    assert torch.equal(out[0][1], out[1][1])


def test_ties_take_torch_topk_partition(naive):
    """Integer teacher logits (many ties, one fully tied pixel): the loss
    is the maths on the partition torch.topk returns (either tied class
    is a correct U1)."""
    g = torch.Generator().manual_seed(32)
    s = 3 * torch.randn(SHAPE, generator=g, dtype=torch.float64)
    t = (2 * torch.randn(SHAPE, generator=g, dtype=torch.float64)).round()
    t[0, :, 0, 0] = 1.0
    hp = dict(HP, k=2, temperature=1.0)

    def topk_groups(name, row, label, hp):
        return [torch.from_numpy(row)[None].topk(2, dim=1,
                                                 sorted=False).indices[0]
                .tolist()]

    out, parts = gdkd_loss(s, t, reduction='none', return_parts=True, **hp)
    ref = naive.loss_map('gdkd', s, t, None, hp, groups_fn=topk_groups)
    for name in ('high', 'low_top', 'low_other'):
        np.testing.assert_allclose(parts[name].numpy(), ref[name],
                                   rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize('gap', [20., 60., 85., 95., 100., 150.])
def test_float32_group_far_below_keeps_its_digits(logits, naive, gap):
    """A group ~87-104 nats below a pixel's maximum underflows to
    subnormals (or 0) in float32 under one shared shift; shifted by its
    own maximum it keeps every digit (values vs the 50-digit
    reference)."""
    k = 2
    s = logits(SHAPE, seed=33, dtype=torch.float32)
    t = logits(SHAPE, seed=34, dtype=torch.float32)
    top = t.topk(k, dim=1).indices
    bump = torch.zeros_like(t).scatter_(1, top, gap)
    s, t = s + bump, t + bump  # both rests ~gap nats below
    hp = dict(HP, k=k, temperature=1.0)
    out, parts = gdkd_loss(s, t, reduction='none', return_parts=True, **hp)
    ref = naive.loss_map('gdkd', s, t, None, hp, exact=True)
    atol = 16 * torch.finfo(torch.float32).eps * gap
    for name in ('high', 'low_top', 'low_other'):
        np.testing.assert_allclose(parts[name].double().numpy(), ref[name],
                                   rtol=1e-5, atol=atol)


def test_gradcheck_on_extreme_pixels(logits):
    """Half the pixels with the rest 1e3 nats below the top-k (there
    masses of ~exp(-1e3) take every digit): the gradient is right there
    too."""
    s, t = logits((2, 5, 2, 3), seed=35), logits((2, 5, 2, 3), seed=36)
    top = t.topk(2, dim=1).indices
    bump = torch.zeros_like(t).scatter_(1, top, 1e3)
    bump[:, :, 0] = 0
    s, t = (s + bump).requires_grad_(), t + bump
    assert torch.autograd.gradcheck(
        lambda x: gdkd_loss(x, t, k=2, reduction='none', **HP), (s, ))
