"""KD: hand values, a naive reference, the gradient oracle, extremes."""
import importlib
import math
from fractions import Fraction

import numpy as np
import pytest
import torch

from gdkd_seg.models.losses import KDLoss, kd_loss
from tests.models.losses.conftest import kl_fractions

SHAPE = (2, 5, 3, 7)  # N, C, H, W with H != W != C


@pytest.mark.parametrize('T', [1.0, 2.0])
def test_hand_value_one_row_three_classes(T):
    # logits T*log(1, 2, 1) and T*log(2, 1, 1) give, at temperature T,
    #   p = (1/4, 1/2, 1/4) (student), q = (1/2, 1/4, 1/4) (teacher)
    #   KL(q||p) = 1/2 log 2 + 1/4 log(1/2) + 1/4 log 1 = 1/4 log 2
    # and the loss is T^2 times that.
    p = [Fraction(1, 4), Fraction(1, 2), Fraction(1, 4)]
    q = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
    assert kl_fractions(q, p) == pytest.approx(math.log(2) / 4, rel=1e-15)
    s = T * torch.tensor([[1., 2., 1.]], dtype=torch.float64).log()
    t = T * torch.tensor([[2., 1., 1.]], dtype=torch.float64).log()
    loss = kd_loss(s, t, temperature=T, ignore_index=None)
    assert loss.item() == pytest.approx(T**2 * kl_fractions(q, p), rel=1e-14)
    assert kd_loss(s, s, temperature=T).item() == pytest.approx(0, abs=1e-15)


@pytest.mark.parametrize('logit_stand', [False, True])
@pytest.mark.parametrize('T', [1.0, 2.5])
def test_map_matches_naive_reference(logits, labels, naive, logit_stand, T):
    s, t = logits(SHAPE, seed=0), logits(SHAPE, seed=1)
    y = labels((2, 3, 7), 5, seed=2, ignore_frac=0.25)
    out = kd_loss(s, t, y, temperature=T, logit_stand=logit_stand,
                  reduction='none')
    ref = naive.loss_map('kd', s, t, y, dict(temperature=T), logit_stand,
                         ignore_index=255)
    np.testing.assert_allclose(out.numpy(), ref['total'], rtol=1e-11,
                               atol=1e-13)


@pytest.mark.parametrize('T', [1.0, 2.5])
def test_gradient_oracle(logits, labels, T):
    """dL/ds = (T / N_valid) (p^s - p^t) at valid pixels, 0 elsewhere."""
    s = logits(SHAPE, seed=3).requires_grad_()
    t = logits(SHAPE, seed=4)
    y = labels((2, 3, 7), 5, seed=5, ignore_frac=0.3)
    kd_loss(s, t, y, temperature=T).backward()
    valid = (y != 255).unsqueeze(1)
    p_s, p_t = torch.softmax(s.detach() / T, 1), torch.softmax(t / T, 1)
    expected = T / int(valid.sum()) * (p_s - p_t) * valid
    torch.testing.assert_close(s.grad, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('case', ['student', 'teacher', 'both'])
@pytest.mark.parametrize('gap', [1e3, 1e4])
def test_extreme_logits_are_exact(logits, naive, with_gap, dtype, case,
                                  gap):
    s = logits(SHAPE, seed=9, dtype=dtype)
    t = logits(SHAPE, seed=10, dtype=dtype)
    if case in ('student', 'both'):
        s = with_gap(s, gap, seed=11)
    if case in ('teacher', 'both'):
        t = with_gap(t, gap / 2, seed=12)
    s.requires_grad_()
    out = kd_loss(s, t, temperature=1.0, ignore_index=None, reduction='none')
    out.sum().backward()
    assert torch.isfinite(out).all() and torch.isfinite(s.grad).all()
    ref = naive.loss_map('kd', s, t, None, dict(temperature=1.0),
                         exact=True)['total']
    # log-sum-exps of logits of size ~gap carry a rounding of a few
    # eps * gap in either dtype (measured: <= 1.1 eps * gap vs 50 digits)
    eps = torch.finfo(dtype).eps
    np.testing.assert_allclose(out.detach().double().numpy(), ref,
                               rtol=0, atol=4 * eps * gap)


@pytest.mark.parametrize('registry', ['mmengine', 'mmseg', 'mmpretrain'])
def test_registry_builds_kd_loss(registry, logits, labels):
    import gdkd_seg  # noqa: F401  (registers the losses)
    MODELS = importlib.import_module(f'{registry}.registry').MODELS
    loss = MODELS.build(
        dict(type='KDLoss', temperature=2.0, loss_weight=0.5))
    assert type(loss) is KDLoss
    s, t = logits(SHAPE, seed=13), logits(SHAPE, seed=14)
    y = labels((2, 3, 7), 5, seed=15, ignore_frac=0.2)
    expected = 0.5 * kd_loss(s, t, y, temperature=2.0)
    torch.testing.assert_close(loss(s, t, y), expected, rtol=1e-15, atol=0)
    value, parts = loss(s, t, y, return_parts=True)
    torch.testing.assert_close(value, expected, rtol=1e-15, atol=0)
    assert parts == {}
    assert 'temperature=2.0' in repr(loss) and 'loss_weight=0.5' in repr(
        loss) and 'ignore_index=255' in repr(loss)
    assert loss.loss_name == 'loss_kd'


def test_module_rejects_bad_hyperparameters():
    with pytest.raises(ValueError, match='temperature'):
        KDLoss(temperature=0.)
    with pytest.raises(ValueError, match='loss_weight'):
        KDLoss(loss_weight=-1.)
