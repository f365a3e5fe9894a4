"""DKD: hand values, the KD identity, labels, extremes, registry."""
import importlib
import math
from fractions import Fraction

import numpy as np
import pytest
import torch

from gdkd_seg.models.losses import DKDLoss, dkd_loss, kd_loss
from tests.models.losses.conftest import kl_fractions, zscore

SHAPE = (2, 5, 3, 7)  # N, C, H, W with H != W != C


@pytest.mark.parametrize('T', [1.0, 2.0])
def test_hand_value_one_row_three_classes(T):
    # p = (1/4, 1/2, 1/4), q = (1/2, 1/4, 1/4), label 0:
    #   binary masses  b^t = (1/2, 1/2), b^s = (1/4, 3/4)
    #   TCKD = 1/2 log 2 + 1/2 log(2/3)           = 1/2 log(4/3)
    #   non-target conditionals q = (1/2, 1/2), p = (2/3, 1/3)
    #   NCKD = 1/2 log(3/4) + 1/2 log(3/2)        = 1/2 log(9/8)
    p = [Fraction(1, 4), Fraction(1, 2), Fraction(1, 4)]
    q = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
    tckd = kl_fractions([q[0], 1 - q[0]], [p[0], 1 - p[0]])
    nckd = kl_fractions([q[1] / (1 - q[0]), q[2] / (1 - q[0])],
                        [p[1] / (1 - p[0]), p[2] / (1 - p[0])])
    assert tckd == pytest.approx(math.log(4 / 3) / 2, rel=1e-15)
    assert nckd == pytest.approx(math.log(9 / 8) / 2, rel=1e-15)
    # the paper's identity on this row: TCKD + (1 - q_0) NCKD = KD = log2/4
    assert tckd + (1 - q[0]) * nckd == pytest.approx(math.log(2) / 4)

    s = T * torch.tensor([[1., 2., 1.]], dtype=torch.float64).log()
    t = T * torch.tensor([[2., 1., 1.]], dtype=torch.float64).log()
    y = torch.tensor([0])
    loss, parts = dkd_loss(s, t, y, alpha=1.5, beta=3.0, temperature=T,
                           return_parts=True)
    assert loss.item() == pytest.approx(T**2 * (1.5 * tckd + 3.0 * nckd),
                                        rel=1e-14)
    assert parts['tckd'].item() == pytest.approx(T**2 * tckd, rel=1e-14)
    assert parts['nckd'].item() == pytest.approx(T**2 * nckd, rel=1e-14)


@pytest.mark.parametrize('logit_stand', [False, True])
@pytest.mark.parametrize('T', [1.0, 2.5])
def test_maps_match_naive_reference(logits, labels, naive, logit_stand, T):
    s, t = logits(SHAPE, seed=0), logits(SHAPE, seed=1)
    y = labels((2, 3, 7), 5, seed=2, ignore_frac=0.25)
    hp = dict(alpha=1.5, beta=3.0, temperature=T)
    loss_map, parts = dkd_loss(s, t, y, logit_stand=logit_stand,
                               reduction='none', return_parts=True, **hp)
    ref = naive.loss_map('dkd', s, t, y, hp, logit_stand, ignore_index=255)
    np.testing.assert_allclose(loss_map.numpy(), ref['total'], rtol=1e-11,
                               atol=1e-13)
    for name in ('tckd', 'nckd'):
        np.testing.assert_allclose(parts[name].numpy(), ref[name],
                                   rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize('logit_stand', [False, True])
def test_kd_is_tckd_plus_coupled_nckd(logits, labels, logit_stand):
    """Per pixel: KD = TCKD + (1 - p^t_y) NCKD (Zhao et al., eq. 1)."""
    s, t = logits(SHAPE, seed=3), logits(SHAPE, seed=4)
    y = labels((2, 3, 7), 5, seed=5, ignore_frac=0.25)
    T = 3.0
    kw = dict(temperature=T, logit_stand=logit_stand, reduction='none')
    _, parts = dkd_loss(s, t, y, alpha=1., beta=1., return_parts=True, **kw)
    kd = kd_loss(s, t, y, **kw)
    z = zscore(t) if logit_stand else t
    q_y = torch.softmax(z / T, 1).gather(1, y.clamp(max=4)[:, None])[:, 0]
    q_y = q_y * (y != 255)  # ignored pixels are 0 in every map
    torch.testing.assert_close(parts['tckd'] + (1 - q_y) * parts['nckd'], kd,
                               rtol=1e-12, atol=1e-13)


def test_labels_outside_classes_raise(logits):
    s, t = logits((4, 5), seed=6), logits((4, 5), seed=7)
    for bad in (5, -1, 255):
        y = torch.tensor([0, 1, bad, 2])
        with pytest.raises(ValueError, match='labels'):
            dkd_loss(s, t, y, ignore_index=None)
    # -1 is fine when it is the ignore label (the CIRKD convention)
    y = torch.tensor([0, 1, -1, 2])
    torch.testing.assert_close(
        dkd_loss(s, t, y, ignore_index=-1),
        dkd_loss(s[[0, 1, 3]], t[[0, 1, 3]], y[[0, 1, 3]]))


def test_target_is_required(logits):
    s = logits((4, 5), seed=8)
    with pytest.raises(ValueError, match='target'):
        dkd_loss(s, s, None)


@pytest.mark.parametrize('weights', [dict(alpha=-1.), dict(beta=-0.5)])
def test_negative_weights_raise(logits, weights):
    s, y = logits((4, 5), seed=9), torch.tensor([0, 1, 2, 3])
    with pytest.raises(ValueError, match='must be >= 0'):
        dkd_loss(s, s, y, **weights)
    with pytest.raises(ValueError, match='must be >= 0'):
        DKDLoss(**weights)


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('case', ['student', 'teacher', 'both'])
@pytest.mark.parametrize('gap', [1e3, 1e4])
def test_extreme_logits_are_exact(logits, labels, naive, upstream, with_gap,
                                  dtype, case, gap):
    """Gaps of 1e3..1e4 at the label (T = 1): the reference code's summed
    masses give inf / NaN (student gap) and its -1000 mask leaks (teacher
    gap); ours stays finite and equals the exact log-domain value."""
    T = 1.0
    s = logits(SHAPE, seed=10, dtype=dtype)
    t = logits(SHAPE, seed=11, dtype=dtype)
    y = labels((2, 3, 7), 5, seed=12, ignore_frac=0.2)
    at_label = y.clamp(max=4)[:, None]
    if case in ('student', 'both'):
        s = with_gap(s, gap, seed=0, cls=at_label)
    if case in ('teacher', 'both'):
        t = with_gap(t, gap, seed=0, cls=at_label if case == 'teacher' else
                     None)
    hp = dict(alpha=1.5, beta=3.0, temperature=T)
    s.requires_grad_()
    out, parts = dkd_loss(s, t, y, reduction='none', return_parts=True, **hp)
    out.sum().backward()
    assert torch.isfinite(out).all() and torch.isfinite(s.grad).all()
    ref = naive.loss_map('dkd', s, t, y, hp, ignore_index=255, exact=True)
    # logits of size ~gap carry a rounding of eps * gap, which every
    # log-sum-exp inherits (measured: <= 7 eps * gap vs 50 digits)
    eps = torch.finfo(dtype).eps
    for name, value in [('total', out), ('tckd', parts['tckd']),
                        ('nckd', parts['nckd'])]:
        np.testing.assert_allclose(value.detach().double().numpy(),
                                   ref[name], rtol=0, atol=16 * eps * gap)

    # the same input breaks the reference formulas (at valid pixels)
    valid = y != 255
    gt = torch.zeros(SHAPE, dtype=torch.bool).scatter_(1, at_label, True)
    s32, t32 = s.detach().float(), t.float()
    if case == 'student':
        tckd_up = upstream.binary_kl(s32, t32, gt, T)[valid]
        assert not torch.isfinite(tckd_up).all()
    if case == 'teacher':
        nckd_up = upstream.masked_kl(s32, t32, gt.float(), T)[valid]
        leak = (nckd_up.double() - torch.from_numpy(ref['nckd'])[valid])
        assert leak.abs().max() > 100


@pytest.mark.parametrize('registry', ['mmengine', 'mmseg', 'mmpretrain'])
def test_registry_builds_dkd_loss(registry, logits, labels):
    import gdkd_seg  # noqa: F401  (registers the losses)
    MODELS = importlib.import_module(f'{registry}.registry').MODELS
    loss = MODELS.build(
        dict(type='DKDLoss', alpha=2.0, beta=4.0, temperature=3.0,
             loss_weight=0.25))
    assert type(loss) is DKDLoss
    s, t = logits(SHAPE, seed=13), logits(SHAPE, seed=14)
    y = labels((2, 3, 7), 5, seed=15, ignore_frac=0.2)
    ref, ref_parts = dkd_loss(s, t, y, alpha=2.0, beta=4.0, temperature=3.0,
                              return_parts=True)
    value, parts = loss(s, t, y, return_parts=True)
    torch.testing.assert_close(value, 0.25 * ref, rtol=1e-15, atol=0)
    # logged parts are unweighted (no alpha / beta / loss_weight)
    torch.testing.assert_close(parts, ref_parts, rtol=0, atol=0)
    for text in ('alpha=2.0', 'beta=4.0', 'temperature=3.0',
                 'loss_weight=0.25'):
        assert text in repr(loss)
