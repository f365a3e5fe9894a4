"""What the class-axis losses share (``gdkd_seg/models/losses/base.py``).

Standardisation is tested directly; masking of ignored pixels, reduction,
argument checks, the range of temperatures and the accuracy within it are
tested through each of the four losses via the ``loss_case`` fixture
(see ``conftest.py``).
"""
import itertools
import math

import numpy as np
import pytest
import torch

from gdkd_seg.models.losses import T_MAX, T_MIN, logit_standardize
from gdkd_seg.registry import MODELS

SHAPE = (2, 5, 3, 7)  # N, C, H, W: H != W != C, so a wrong axis fails


# ----------------------------------------------------------------------
# logit standardisation
# ----------------------------------------------------------------------
def test_logit_standardize_hand_value():
    # z = (0, 1, 2): mean 1, unbiased variance (1 + 0 + 1) / (3 - 1) = 1,
    # so Z = (z - 1) / (1 + 1e-7). A constant row has std 0 -> all zeros.
    z = torch.tensor([[0., 1., 2.], [5., 5., 5.]], dtype=torch.float64)
    expected = torch.tensor([[-1., 0., 1.], [0., 0., 0.]],
                            dtype=torch.float64)
    expected[0] /= 1 + 1e-7
    torch.testing.assert_close(logit_standardize(z), expected, rtol=0,
                               atol=1e-15)


def test_logit_standardize_is_per_pixel_over_classes(logits, naive):
    x = logits(SHAPE, seed=0)
    out = logit_standardize(x).numpy()
    for n, h, w in np.ndindex(SHAPE[0], *SHAPE[2:]):
        np.testing.assert_allclose(
            out[n, :, h, w], naive.standardize(x[n, :, h, w].numpy()),
            rtol=1e-12, atol=1e-14)


def test_logit_standardize_gradcheck(logits):
    x = logits((2, 4, 2, 3), seed=1).requires_grad_()
    assert torch.autograd.gradcheck(logit_standardize, (x, ))


def test_logit_standardize_constant_row_has_finite_gradient(
        loss_case, logits, labels):
    """All-equal logits (e.g. a freshly zero-initialised head) have std 0:
    the Z-score is 0 and the gradient must stay finite, not NaN."""
    name, fn, hp = loss_case
    x = torch.full((1, 5), 3.0, dtype=torch.float64, requires_grad=True)
    z = logit_standardize(x)
    (z * torch.arange(5.)).sum().backward()  # a non-uniform upstream
    assert (z == 0).all() and torch.isfinite(x.grad).all()
    s = torch.zeros(SHAPE, dtype=torch.float64, requires_grad=True)
    y = labels((2, 3, 7), 5, seed=52)
    fn(s, logits(SHAPE, seed=53), y, logit_stand=True).backward()
    assert torch.isfinite(s.grad).all()


def test_ls_invariant_to_affine_logits(loss_case, logits, labels):
    """Z-scoring removes z -> a z + c (a > 0) per pixel, for each network
    with its own a and c; without LS the same change moves the loss."""
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=2), logits(SHAPE, seed=3)
    y = labels((2, 3, 7), SHAPE[1], seed=4, ignore_frac=0.2)
    pix = (2, 1, 3, 7)  # one (a, c) per pixel
    a_s, a_t = 0.3 + logits(pix, seed=54).abs(), 0.5 + logits(
        pix, seed=55).abs()
    c_s, c_t = 10 * logits(pix, seed=56), logits(pix, seed=57)
    s2, t2 = a_s * s + c_s, a_t * t + c_t

    ref = fn(s, t, y, logit_stand=True, reduction='none')
    moved = fn(s2, t2, y, logit_stand=True, reduction='none')
    # 1e-7 is added to the std, so the invariance is exact up to ~1e-8
    torch.testing.assert_close(moved, ref, rtol=1e-6, atol=1e-9)
    raw = fn(s, t, y).item()
    assert not math.isclose(fn(s2, t2, y).item(), raw, rel_tol=1e-2)


# ----------------------------------------------------------------------
# ignored pixels and the mean over valid pixels
# ----------------------------------------------------------------------
@pytest.mark.parametrize('logit_stand', [False, True])
@pytest.mark.parametrize('garbage', ['non-finite', 'finite'])
def test_garbage_at_ignored_pixels_is_harmless(loss_case, logits, labels,
                                               logit_stand, garbage):
    """inf / NaN at ignored pixels (the logits are cleaned first) and huge
    or fully tied finite values (left in place, masked by the kernels)
    change neither the loss nor the gradient, bit for bit."""
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=12), logits(SHAPE, seed=13)
    y = labels((2, 3, 7), SHAPE[1], seed=14, ignore_frac=0.4)
    ignored = (y == 255).unsqueeze(1).expand(SHAPE)
    assert ignored.any() and not ignored.all()
    values = [math.nan, math.inf, -math.inf, 1e30] if garbage == \
        'non-finite' else [1e30, -1e30, 3e36, -7.0]
    values = torch.tensor(values, dtype=torch.float64)
    pick = torch.arange(ignored.sum()) % 4
    s_bad, t_bad = s.clone(), t.clone()
    s_bad[ignored] = values[pick]
    t_bad[ignored] = values[pick.flip(0)]
    if garbage == 'finite':  # fully tied teacher rows at ignored pixels
        t_bad[ignored] = 5.0

    losses, grads = [], []
    for student, teacher in [(s, t), (s_bad, t_bad)]:
        student = student.clone().requires_grad_()
        loss = fn(student, teacher, y, logit_stand=logit_stand)
        loss.backward()
        losses.append(loss.detach())
        grads.append(student.grad)
    assert torch.isfinite(losses[1]) and torch.isfinite(grads[1]).all()
    torch.testing.assert_close(losses[1], losses[0], rtol=0, atol=0)
    torch.testing.assert_close(grads[1], grads[0], rtol=0, atol=0)
    assert (grads[1][ignored] == 0).all()
    assert (grads[1][~ignored] != 0).any()


def test_all_ignored_batch_is_exactly_zero(loss_case, logits):
    name, fn, hp = loss_case
    s = logits(SHAPE, seed=15)
    s[0, 0, 0, 0] = math.nan  # garbage must not matter either
    s.requires_grad_()
    t = logits(SHAPE, seed=16)
    y = torch.full((2, 3, 7), 255)
    loss = fn(s, t, y)
    loss.backward()
    assert loss.item() == 0.0
    assert torch.isfinite(s.grad).all() and (s.grad == 0).all()
    assert fn(s, t, y, reduction='none').abs().sum() == 0


def test_mean_is_over_valid_pixels_of_whole_batch(loss_case, logits):
    """Image 0 has 2 valid pixels, image 1 has 21: the mean divides the
    sum of the per-pixel map by 23 -- not by N, not per image."""
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=17), logits(SHAPE, seed=18)
    y = torch.randint(0, SHAPE[1], (2, 3, 7),
                      generator=torch.Generator().manual_seed(19))
    y[0] = 255
    y[0, 1, 2] = y[0, 2, 6] = 1
    loss_map = fn(s, t, y, reduction='none')
    assert loss_map.shape == (2, 3, 7)
    valid = y != 255
    assert (loss_map[~valid] == 0).all() and (loss_map[valid] > 0).all()
    expected = loss_map.sum() / 23
    torch.testing.assert_close(fn(s, t, y), expected, rtol=1e-14, atol=0)
    # the wrong averages differ clearly on this batch
    per_image = torch.stack(
        [loss_map[i].sum() / valid[i].sum() for i in range(2)]).mean()
    batchmean = loss_map.sum() / 2
    for wrong in (per_image, batchmean, loss_map.mean()):
        assert not torch.isclose(wrong, expected, rtol=1e-3)


def test_sum_and_none_reductions(loss_case, logits, labels):
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=20), logits(SHAPE, seed=21)
    y = labels((2, 3, 7), SHAPE[1], seed=22, ignore_frac=0.3)
    loss_map = fn(s, t, y, reduction='none')
    torch.testing.assert_close(fn(s, t, y, reduction='sum'), loss_map.sum())
    torch.testing.assert_close(
        fn(s, t, y, reduction='mean'), loss_map.sum() / (y != 255).sum())
    with pytest.raises(ValueError, match='reduction'):
        fn(s, t, y, reduction='batchmean')


# ----------------------------------------------------------------------
# shapes, axis and argument checks
# ----------------------------------------------------------------------
def test_nchw_equals_rows_of_pixels(loss_case, logits, labels):
    """(N, C, H, W) with H, W != C equals the (N*H*W, C) matrix of its
    pixels: any reduction over a wrong axis breaks this."""
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=23), logits(SHAPE, seed=24)
    y = labels((2, 3, 7), SHAPE[1], seed=25, ignore_frac=0.3)
    C = SHAPE[1]
    rows = [x.permute(0, 2, 3, 1).reshape(-1, C) for x in (s, t)]
    row_map = fn(*rows, y.reshape(-1), ignore_index=255, reduction='none')
    torch.testing.assert_close(
        fn(s, t, y, reduction='none'), row_map.view(2, 3, 7), rtol=1e-13,
        atol=1e-13)
    torch.testing.assert_close(fn(s, t, y), fn(*rows, y.reshape(-1)),
                               rtol=1e-13, atol=0)


def test_cls_form_equals_1x1_map(loss_case, logits, labels):
    name, fn, hp = loss_case
    s, t = logits((6, 5), seed=26), logits((6, 5), seed=27)
    y = labels((6, ), 5, seed=28)
    cls = fn(s, t, y, ignore_index=None)
    one = fn(s[..., None, None], t[..., None, None], y[:, None, None],
             ignore_index=None)
    torch.testing.assert_close(one, cls, rtol=1e-15, atol=0)
    assert fn(s, t, y, reduction='none').shape == (6, )


def test_shape_errors(loss_case, logits, labels):
    name, fn, hp = loss_case
    s, y = logits(SHAPE, seed=29), labels((2, 3, 7), 5, seed=30)
    with pytest.raises(ValueError, match='same shape'):
        fn(s, logits((2, 5, 3, 6), seed=31), y)
    with pytest.raises(ValueError, match=r'\(N, C\)'):
        fn(s[:, :, 0], s[:, :, 0], y[:, 0])
    with pytest.raises(ValueError, match='2 classes|k < C'):
        fn(s[:, :1], s[:, :1], y)


def test_target_must_be_at_the_logits_resolution(loss_case, logits,
                                                  labels):
    """Labels at another size are refused (the distiller brings them to
    the logits first), not silently broadcast or resampled."""
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=62), logits(SHAPE, seed=63)
    for size in [(6, 14), (3, 8), (7, 3)]:
        with pytest.raises(ValueError, match='target of shape'):
            fn(s, t, labels((2, ) + size, SHAPE[1], seed=64))


@pytest.mark.parametrize('temperature', [0.0, -1.0, 0.005, 100.5, 1e5,
                                         math.nan])
def test_temperature_outside_the_range_raises(loss_case, logits, labels,
                                              temperature):
    """Outside [T_MIN, T_MAX] a clear error, never a silent wrong number
    (at T = 1e5 float32 maths gives GDKD -635 for 19.6): from the
    function, a tensor temperature and the registered module."""
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=32), logits(SHAPE, seed=33)
    y = labels((2, 3, 7), 5, seed=34)
    for T in (temperature, torch.tensor(temperature, requires_grad=True)):
        with pytest.raises(ValueError, match='temperature must lie in'):
            fn(s, t, y, temperature=T)
    module = dict(kd='KDLoss', dkd='DKDLoss', gdkd='GDKDLoss',
                  gdkd3='GDKD3Loss')[name]
    with pytest.raises(ValueError, match='temperature must lie in'):
        MODELS.build(dict(type=module, temperature=temperature))
    assert torch.isfinite(fn(s, t, y, temperature=T_MIN))
    assert torch.isfinite(fn(s, t, y, temperature=T_MAX))


def test_integer_logits_raise(loss_case, labels):
    """Integer logits would give a truncated integer loss without
    gradient: a TypeError names the argument."""
    name, fn, hp = loss_case
    s = torch.randint(-3, 4, SHAPE)
    y = labels((2, 3, 7), 5, seed=65)
    with pytest.raises(TypeError, match='student logits must be floating'):
        fn(s, s.double(), y)
    with pytest.raises(TypeError, match='teacher logits must be floating'):
        fn(s.double(), s, y)


@pytest.mark.parametrize('shape', [(0, 5, 3, 7), (2, 5, 0, 0), (0, 5)])
def test_empty_batch_gives_zero_with_a_gradient(loss_case, shape):
    """No pixel to average over -- with or without labels -- gives 0 and
    a (zero) gradient, as an all-ignored batch does, not NaN."""
    name, fn, hp = loss_case
    s = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    t = torch.zeros(shape, dtype=torch.float64)
    y = torch.zeros((shape[0], ) + shape[2:], dtype=torch.long)
    for target in ([None, y] if name != 'dkd' else [y]):
        loss = fn(s, t, target)
        loss.backward()
        assert loss.item() == 0 and s.grad.shape == shape
        assert fn(s, t, target, reduction='none').shape == y.shape


def test_nan_at_a_valid_pixel_surfaces(loss_case, logits, labels):
    """A NaN where the loss counts must reach the loss (the distiller then
    stops), not be cleaned away or masked like an ignored pixel."""
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=66), logits(SHAPE, seed=67)
    y = labels((2, 3, 7), 5, seed=68)
    y[0, 0, 0] = 255
    for which in (0, 1):
        bad = [s.clone(), t.clone()]
        bad[which][1, 2, 1, 1] = math.nan
        assert torch.isnan(fn(*bad, y))


@pytest.mark.parametrize('logit_stand', [False, True])
def test_teacher_never_gets_gradient(loss_case, logits, labels,
                                     logit_stand):
    name, fn, hp = loss_case
    s = logits(SHAPE, seed=35).requires_grad_()
    t = logits(SHAPE, seed=36).requires_grad_()
    y = labels((2, 3, 7), 5, seed=37, ignore_frac=0.2)
    loss, parts = fn(s, t, y, logit_stand=logit_stand, return_parts=True)
    (loss + sum(parts.values(), torch.zeros(()))).backward()
    assert t.grad is None
    assert s.grad is not None and torch.isfinite(s.grad).all()


@pytest.mark.parametrize('logit_stand', [False, True])
def test_gradcheck_with_ignored_pixels(loss_case, logits, labels,
                                       logit_stand):
    name, fn, hp = loss_case
    shape = (2, 5, 2, 3)
    s = logits(shape, seed=38).requires_grad_()
    t = logits(shape, seed=39)
    y = labels((2, 2, 3), 5, seed=40, ignore_frac=0.3)
    assert (y == 255).any()
    assert torch.autograd.gradcheck(
        lambda x: fn(x, t, y, logit_stand=logit_stand), (s, ))


# ----------------------------------------------------------------------
# accuracy within the range of temperatures (docs/losses.md section 11)
# ----------------------------------------------------------------------
# the ends of the range and every T the shipped configs (1, 2, 3, 4),
# MLKD's sums (2, 3, 5, 6) and CTKD (in (1, 21); 15.62 at the start) use
TEMPERATURES = [T_MIN, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 15.62, 21.0,
                T_MAX]


def stress_logits(case: str):
    """(student, teacher) rows (3, 19) in float64 with logits up to 1e4."""
    g = torch.Generator().manual_seed(70)
    shape = (3, 19)

    def randn(scale=3.0):
        return scale * torch.randn(shape, generator=g, dtype=torch.float64)

    def uniform(scale=1e4):
        return scale * (2 * torch.rand(shape, generator=g,
                                       dtype=torch.float64) - 1)

    s, t = randn(), randn()
    if case == 'uniform':  # every logit anywhere in [-1e4, 1e4]
        s, t = uniform(), uniform()
    elif case == 'offset':  # both ~1e4 from 0, ordinary spread
        s, t = s - 1e4, t + 1e4
    elif case == 'gaps':  # one class 1e4 above the others, each network
        s[:, 3] += 1e4
        t[:, 7] += 1e4
    elif case == 'rest_far':  # the teacher's top 4 1e4 above its rest
        top = t.topk(4, dim=1).indices
        t = t.scatter_add(1, top, torch.full(top.shape, 1e4).double())
        s = uniform()
    elif case == 'near':  # KL ~ 1e-7: rounding must not go below 0
        s = t + 1e-3 * randn(1.0)
    return s, t


def groups_of_ours(name, t, label, hp):
    """The partition the losses take: torch.topk on the float32 scaled
    teacher (rounded fp16 / bf16 logits tie, and either tied class is a
    correct partition)."""
    b = torch.from_numpy(t).float()[None] / hp['temperature']
    if name == 'dkd':
        return [[label]]
    top = b.topk(hp.get('k', 1), dim=1).indices[0].tolist()
    return {'kd': [], 'gdkd': [top], 'gdkd3': [top[:1], top[1:]]}[name]


@pytest.mark.parametrize('dtype', [torch.float32, torch.float16,
                                   torch.bfloat16])
@pytest.mark.parametrize('case', ['random', 'uniform', 'offset', 'gaps',
                                  'rest_far', 'near'])
def test_float64_maths_within_the_range(loss_case, naive, dtype, case):
    """For every T of the range's ends, the configs and CTKD, with and
    without LS, logits up to 1e4 in float32, fp16 or bf16: each per-pixel
    term is finite, >= 0 and within ``4 eps (A + B + ln C) (T^2 + |L|)``
    of the float64 maths (eps of float32, in which half inputs are
    computed; A, B the largest |logit| / T of the pixel, after the
    Z-score with LS), the total within the sum of its parts' bounds
    times the weights."""
    name, fn, hp = loss_case
    s64, t64 = stress_logits(case)
    s, t = s64.to(dtype), t64.to(dtype)
    y = torch.tensor([0, 7, 18])
    eps = torch.finfo(torch.float32).eps
    for T, ls in itertools.product(TEMPERATURES, [False, True]):
        hp_t = dict(hp, temperature=T)
        out, parts = fn(s, t, y, reduction='none', return_parts=True,
                        logit_stand=ls, ignore_index=None, temperature=T)
        assert out.dtype == torch.float32
        z_s, z_t = s.double(), t.double()
        if ls:  # the reference partitions the Z-scored teacher
            z_s, z_t = logit_standardize(z_s), logit_standardize(z_t)
        ref = naive.loss_map(name, z_s, z_t, y, hp_t, exact='float64',
                             groups_fn=groups_of_ours)
        size = (z_s.abs().amax(1) + z_t.abs().amax(1)) / T + math.log(19)
        weight = sum(hp.get(w, 0.) for w in ('alpha', 'beta', 'w0', 'w1',
                                             'w2')) or 1.0
        for key, value in dict(parts, total=out).items():
            assert torch.isfinite(value).all() and (value >= 0).all()
            err = (value.double() - torch.from_numpy(ref[key])).abs()
            bound = 4 * eps * size * (T**2 + torch.from_numpy(ref[key]))
            if key == 'total':
                bound = bound * weight
            assert (err <= bound).all(), (key, T, ls, float(
                (err / bound).max()))
