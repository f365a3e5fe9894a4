"""Shared maths of ``gdkd_seg/models/losses/utils.py``.

Standardisation, label resizing, masking of ignored pixels and reduction
are tested directly and, where they shape every loss
(ignore handling, averaging, axis, shapes, gradients), through each of the
four losses via the ``loss_case`` fixture (see ``conftest.py``).
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gdkd_seg.models.losses import logit_standardize
from gdkd_seg.models.losses.utils import (clean_invalid, downsample_labels,
                                          reduce_map)

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
# labels at a multiple of the logits' resolution
# ----------------------------------------------------------------------
@pytest.mark.parametrize('scale', [2, 8])
def test_downsample_labels_takes_top_left_of_each_block(scale):
    g = torch.Generator().manual_seed(5)
    y = torch.randint(0, 256, (2, 3 * scale, 7 * scale), generator=g)
    out = downsample_labels(y, (3, 7))
    # an independent definition: legacy nearest interpolation
    ref = F.interpolate(y[:, None].float(), size=(3, 7), mode='nearest')
    torch.testing.assert_close(out, ref[:, 0].long())
    torch.testing.assert_close(out, y[:, ::scale, ::scale])


def test_downsample_labels_keeps_matching_and_cls_labels():
    y = torch.arange(6).view(1, 2, 3)
    assert downsample_labels(y, (2, 3)) is y
    y1 = torch.arange(4)
    assert downsample_labels(y1, ()) is y1


@pytest.mark.parametrize('size', [(4, 14), (6, 15), (3, 8), (5, 9)])
def test_downsample_labels_any_size_is_legacy_nearest(size):
    """Sizes that are no integer multiple: an error by default (the
    losses), legacy nearest interpolation with ``exact_multiple=False``
    (the distiller and the analysis tools), labels kept as integers."""
    y = torch.randint(0, 256, (2, ) + size,
                      generator=torch.Generator().manual_seed(58))
    with pytest.raises(ValueError, match='multiple'):
        downsample_labels(y, (3, 7))
    out = downsample_labels(y, (3, 7), exact_multiple=False)
    ref = F.interpolate(y[:, None].float(), size=(3, 7), mode='nearest')
    assert out.dtype == y.dtype
    torch.testing.assert_close(out, ref[:, 0].long(), rtol=0, atol=0)
    # pixel (i, j) reads (floor(i H / 3), floor(j W / 7)), written out
    rows = [i * size[0] // 3 for i in range(3)]
    cols = [j * size[1] // 7 for j in range(7)]
    torch.testing.assert_close(out, y[:, rows][:, :, cols], rtol=0, atol=0)


@pytest.mark.parametrize('scale', [2, 8])
def test_loss_uses_nearest_downsampled_labels(loss_case, logits, labels,
                                              scale):
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=6), logits(SHAPE, seed=7)
    y = labels((2, 3, 7), SHAPE[1], seed=8, ignore_frac=0.3)
    # high-res labels: y at the top-left of each block, and elsewhere
    # labels that would change the loss if they were read (255 where y is
    # valid, another class where y is 255)
    other = torch.where(y == 255, (y + 1) % 255 % SHAPE[1], 255)
    big = other.repeat_interleave(scale, 1).repeat_interleave(scale, 2)
    big[:, ::scale, ::scale] = y
    ref = fn(s, t, y)
    assert fn(s, t, big) == ref
    # reading any other pixel of the block would give another loss
    assert fn(s, t, big[:, 1::scale, 1::scale].contiguous()) != ref


def test_non_integer_label_scale_raises(loss_case, logits, labels):
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=9), logits(SHAPE, seed=10)
    for size in [(4, 14), (6, 15), (3, 8)]:
        with pytest.raises(ValueError, match='multiple|match'):
            fn(s, t, labels((2, ) + size, SHAPE[1], seed=11))


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


class _ZeroAndMultiply(torch.autograd.Function):
    """The package's former ``_ZeroInvalid``, kept here as the reference:
    ignored pixels set to 0 forward, the gradient multiplied by the 0 / 1
    mask backward."""

    @staticmethod
    def forward(ctx, x, keep):
        ctx.save_for_backward(keep)
        return x.masked_fill(keep == 0, 0.)

    @staticmethod
    def backward(ctx, grad):
        keep, = ctx.saved_tensors
        return grad * keep, None


@pytest.mark.parametrize('always', [False, True])
def test_clean_invalid_equals_zero_and_multiply(logits, labels, always):
    """``masked_fill`` (what ``clean_invalid`` uses) gives the values and
    the gradients of a hand-written zero-and-multiply-by-mask function,
    bit for bit, with inf / NaN / finite garbage at ignored pixels."""
    x = logits(SHAPE, seed=59)
    y = labels((2, 3, 7), SHAPE[1], seed=60, ignore_frac=0.4)
    valid = y != 255
    ignored = (~valid).unsqueeze(1).expand(SHAPE)
    values = torch.tensor([math.nan, math.inf, -math.inf, 1e30],
                          dtype=x.dtype)
    x[ignored] = values[torch.arange(int(ignored.sum())) % 4]
    upstream = logits(SHAPE, seed=61)  # an arbitrary incoming gradient
    grads = []
    for fn in (lambda z: clean_invalid(z, valid, always=always),
               lambda z: _ZeroAndMultiply.apply(
                   z, valid.unsqueeze(1).to(z.dtype))):
        z = x.clone().requires_grad_()
        out = fn(z)
        (out * upstream).sum().backward()
        grads.append((out.detach(), z.grad))
    (out_a, grad_a), (out_b, grad_b) = grads
    assert torch.isfinite(out_a).all()
    torch.testing.assert_close(out_a, out_b, rtol=0, atol=0)
    torch.testing.assert_close(grad_a, grad_b, rtol=0, atol=0)
    assert (grad_a[ignored] == 0).all() and (grad_a[~ignored] != 0).all()


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


def test_reduce_map_empty_and_none():
    m = torch.arange(6.).view(2, 3).requires_grad_()
    valid = torch.zeros(2, 3, dtype=torch.bool)
    out = reduce_map(m, valid, 'mean')
    out.backward()
    assert out.item() == 0 and (m.grad == 0).all()
    assert reduce_map(m, None, 'mean').item() == pytest.approx(2.5)


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


@pytest.mark.parametrize('temperature', [0.0, -1.0])
def test_temperature_must_be_positive(loss_case, logits, labels,
                                      temperature):
    name, fn, hp = loss_case
    s, t = logits(SHAPE, seed=32), logits(SHAPE, seed=33)
    with pytest.raises(ValueError, match='temperature'):
        fn(s, t, labels((2, 3, 7), 5, seed=34), temperature=temperature)


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
