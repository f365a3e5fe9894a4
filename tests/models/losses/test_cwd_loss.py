"""CWD: the upstream vectors, a naive reference (with ignored pixels),
extremes where CIRKD breaks, reductions, gradients, registry."""
import importlib
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gdkd_seg.models.losses import T_MAX, T_MIN, CWDLoss, cwd_loss
from tests.models.losses.conftest import np_standardize

SHAPE = (2, 4, 3, 5)  # N, C, H, W: all different, so a wrong axis fails
VECTORS = Path(__file__).resolve().parents[2] / 'data' / 'vectors_ext'


def _cwd_entries():
    index = VECTORS / 'index.json'
    assert index.is_file(), f'reference vectors not found: {index}'
    entries = [e for e in json.loads(index.read_text())['files']
               if e['family'] == 'CWD']
    assert entries
    return [pytest.param(e, id=e['file']) for e in entries]


def naive_cwd(s, t, valid, T):
    """``(loss, map)`` by a loop over the (image, channel) maps in numpy
    float64: softmax over the valid positions of each map, KL, sum, then
    / (C * images with a valid position), times T^2 (docs/losses.md
    §9). ``valid`` is ``(N, H, W)`` bool or None."""
    s = s.detach().double().numpy() / T
    t = t.detach().double().numpy() / T
    N, C, H, W = s.shape
    keep = np.ones((N, H, W), bool) if valid is None else valid.numpy()
    total, images = 0.0, 0
    pos_map = np.zeros((N, H, W))
    for n in range(N):
        if not keep[n].any():
            continue
        images += 1
        for c in range(C):
            a, b = s[n, c][keep[n]], t[n, c][keep[n]]
            log_p = a - a.max() - np.log(np.exp(a - a.max()).sum())
            log_q = b - b.max() - np.log(np.exp(b - b.max()).sum())
            terms = np.exp(log_q) * (log_q - log_p)
            total += terms.sum()
            pos_map[n][keep[n]] += T**2 * terms
    return T**2 * total / (C * max(images, 1)), pos_map


# ----------------------------------------------------------------------
# upstream vectors (mmrazor ChannelWiseDivergence, CIRKD CriterionCWD)
# ----------------------------------------------------------------------
@pytest.mark.parametrize('entry', _cwd_entries())
def test_vector(entry):
    path = VECTORS / entry['file']
    assert path.is_file(), f'{entry["file"]} missing'
    z = np.load(path)
    hp = entry['hyperparams']
    T = hp['tau'] if 'tau' in hp else hp['T']
    weight = hp.get('loss_weight', 1.0)  # CIRKD has no weight inside
    s = torch.from_numpy(z['student']).requires_grad_()
    t = torch.from_numpy(z['teacher'])
    # the files' target is the teacher's argmax, all valid: passing it
    # must change nothing (the ignore-aware version equals upstream)
    y = torch.from_numpy(z['target']).long()
    loss = weight * cwd_loss(s, t, y, temperature=T)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(s.grad).all()
    f64 = z['student'].dtype == np.float64
    if not (entry['upstream_trusted'] and entry['loss_finite']
            and entry['grad_finite']):
        # CIRKD's softmax().log() on extreme logits: upstream is inf/NaN,
        # the right answer is the exact maths
        ref, _ = naive_cwd(s, t, None, T)
        np.testing.assert_allclose(loss.item(), weight * ref, rtol=1e-5)
        return
    np.testing.assert_allclose(loss.detach().numpy(), z['loss'],
                               rtol=1e-10 if f64 else 1e-5, atol=0)
    g = z['grad_student']
    np.testing.assert_allclose(
        s.grad.numpy(), g, rtol=0,
        atol=(1e-12 if f64 else 1e-6) * np.abs(g).max())


def test_finite_and_exact_where_cirkd_breaks():
    """Student logits N(0, 60^2) (the vectors' extreme case): CIRKD takes
    ``softmax().log()``, whose float32 softmax underflows to 0, so its
    loss is inf; ours is finite and equals the float64 reference."""
    g = torch.Generator().manual_seed(3)
    s = (60 * torch.randn(2, 19, 8, 16, generator=g)).requires_grad_()
    t = 3 * torch.randn(2, 19, 8, 16, generator=g)
    T = 1.0
    n, c = s.shape[:2]
    p_s = F.softmax(s.detach().reshape(n, c, -1) / T, dim=-1)
    p_t = F.softmax(t.reshape(n, c, -1) / T, dim=-1)
    cirkd = T**2 * F.kl_div(p_s.log(), p_t, reduction='sum') / (n * c)
    assert not torch.isfinite(cirkd)
    loss = cwd_loss(s, t, temperature=T)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(s.grad).all()
    ref, _ = naive_cwd(s, t, None, T)
    np.testing.assert_allclose(loss.item(), ref, rtol=1e-5)


# ----------------------------------------------------------------------
# the definition, with and without ignored pixels
# ----------------------------------------------------------------------
@pytest.mark.parametrize('T', [1.0, 4.0])
@pytest.mark.parametrize('ignore_frac', [0.0, 0.4])
def test_matches_naive_reference(logits, labels, T, ignore_frac):
    s, t = logits(SHAPE, seed=0), logits(SHAPE, seed=1)
    y = labels((2, 3, 5), 4, seed=2, ignore_frac=ignore_frac)
    valid = y != 255
    ref, ref_map = naive_cwd(s, t, valid, T)
    loss = cwd_loss(s, t, y, temperature=T)
    np.testing.assert_allclose(loss.item(), ref, rtol=1e-12)
    loss_map = cwd_loss(s, t, y, temperature=T, reduction='none')
    assert loss_map.shape == (2, 3, 5)
    np.testing.assert_allclose(loss_map.numpy(), ref_map, rtol=1e-11,
                               atol=1e-14)
    assert (loss_map[~valid] == 0).all()
    total = cwd_loss(s, t, y, temperature=T, reduction='sum')
    torch.testing.assert_close(total, loss_map.sum(), rtol=1e-12, atol=0)
    torch.testing.assert_close(loss, total / (4 * 2), rtol=1e-14, atol=0)


def test_softmax_is_over_space_not_classes(logits):
    """Adding a constant to one channel's whole map changes nothing (a
    spatial softmax is shift-invariant per channel); adding one to a
    pixel's class vector (what a per-pixel KD ignores) does."""
    s, t = logits(SHAPE, seed=3), logits(SHAPE, seed=4)
    ref = cwd_loss(s, t)
    per_channel = s + 5 * logits((2, 4, 1, 1), seed=5)
    torch.testing.assert_close(cwd_loss(per_channel, t), ref, rtol=1e-12,
                               atol=0)
    per_pixel = s + 5 * logits((2, 1, 3, 5), seed=6)
    assert not torch.isclose(cwd_loss(per_pixel, t), ref, rtol=1e-3)


def test_all_valid_target_equals_no_target(logits, labels):
    s, t = logits(SHAPE, seed=7), logits(SHAPE, seed=8)
    y = labels((2, 3, 5), 4, seed=9)
    torch.testing.assert_close(cwd_loss(s, t, y), cwd_loss(s, t), rtol=0,
                               atol=0)
    # labels at another size are refused (the distiller resizes them)
    big = y.repeat_interleave(8, 1).repeat_interleave(8, 2)
    with pytest.raises(ValueError, match='target of shape'):
        cwd_loss(s, t, big)


def test_ignored_positions_renormalise(logits, labels):
    """Ignoring positions drops them from both spatial softmaxes (the
    derived definition); multiplying the upstream terms by the mask
    instead is a different number."""
    s, t = logits(SHAPE, seed=10), logits(SHAPE, seed=11)
    y = labels((2, 3, 5), 4, seed=12, ignore_frac=0.4)
    valid = y != 255
    ours = cwd_loss(s, t, y)
    _, full_map = naive_cwd(s, t, None, 1.0)
    masked_terms = (full_map * valid.numpy()).sum() / (4 * 2)
    assert not math.isclose(ours.item(), masked_terms, rel_tol=1e-3)
    # the valid positions alone, as a smaller image
    keep = valid[1]
    sub = [x[1:2, :, keep].reshape(1, 4, 1, -1) for x in (s, t)]
    y_one = y.clone()
    y_one[0] = 255
    torch.testing.assert_close(cwd_loss(s, t, y_one), cwd_loss(*sub),
                               rtol=1e-12, atol=0)


def test_images_without_valid_positions_are_dropped(logits):
    """Image 0 fully ignored: the loss is image 1's alone (divided by
    C * 1, not C * 2); a fully ignored batch gives 0 with zero gradient,
    and garbage there does not matter."""
    s, t = logits(SHAPE, seed=13), logits(SHAPE, seed=14)
    y = torch.zeros(2, 3, 5, dtype=torch.long)
    y[0] = 255
    torch.testing.assert_close(cwd_loss(s, t, y), cwd_loss(s[1:], t[1:]),
                               rtol=1e-14, atol=0)
    s = s.clone()
    s[0, 0, 0, 0] = math.nan
    s.requires_grad_()
    loss = cwd_loss(s, t, torch.full((2, 3, 5), 255))
    loss.backward()
    assert loss.item() == 0 and (s.grad == 0).all()
    # so does an empty batch, with or without labels
    empty = torch.zeros((0, ) + SHAPE[1:], requires_grad=True)
    for y in (None, torch.zeros((0, 3, 5), dtype=torch.long)):
        loss = cwd_loss(empty, empty.detach(), y)
        loss.backward()
        assert loss.item() == 0 and empty.grad.shape == empty.shape


@pytest.mark.parametrize('garbage', [math.nan, math.inf, -math.inf, 1e30])
def test_garbage_at_ignored_pixels_is_harmless(logits, labels, garbage):
    s, t = logits(SHAPE, seed=15), logits(SHAPE, seed=16)
    y = labels((2, 3, 5), 4, seed=17, ignore_frac=0.4)
    ignored = (y == 255).unsqueeze(1).expand(SHAPE)
    out = []
    for student, teacher in [(s, t), (s.clone(), t.clone())]:
        if student is not s:
            student[ignored], teacher[ignored] = garbage, -garbage
        student.requires_grad_()
        loss = cwd_loss(student, teacher, y)
        loss.backward()
        out.append((loss.detach(), student.grad))
    torch.testing.assert_close(out[1][0], out[0][0], rtol=0, atol=0)
    torch.testing.assert_close(out[1][1], out[0][1], rtol=0, atol=0)
    assert (out[1][1][ignored] == 0).all()


@pytest.mark.parametrize('ignore_frac', [0.0, 0.3])
def test_gradcheck(logits, labels, ignore_frac):
    s = logits(SHAPE, seed=18).requires_grad_()
    t = logits(SHAPE, seed=19)
    y = labels((2, 3, 5), 4, seed=20, ignore_frac=ignore_frac)
    assert torch.autograd.gradcheck(
        lambda x: cwd_loss(x, t, y, temperature=2.0), (s, ))


def test_gradient_oracle(logits):
    """dL/ds_i = T / (N C) (p_i - q_i) per channel map (the KD oracle,
    with the spatial softmax)."""
    T = 3.0
    s = logits(SHAPE, seed=21).requires_grad_()
    t = logits(SHAPE, seed=22)
    cwd_loss(s, t, temperature=T).backward()
    p = torch.softmax(s.detach().flatten(2) / T, -1).view(SHAPE)
    q = torch.softmax(t.flatten(2) / T, -1).view(SHAPE)
    torch.testing.assert_close(s.grad, T / (2 * 4) * (p - q), rtol=0,
                               atol=1e-15)


def test_teacher_gets_no_gradient_and_layout_does_not_matter(logits):
    s = logits(SHAPE, seed=23).requires_grad_()
    t = logits(SHAPE, seed=24).requires_grad_()
    loss = cwd_loss(s, t)
    loss.backward()
    assert t.grad is None
    # channels_last input (mmrazor's .view raises on it)
    s_cl = s.detach().to(memory_format=torch.channels_last)
    torch.testing.assert_close(cwd_loss(s_cl, t.detach()), loss.detach(),
                               rtol=1e-14, atol=0)


def test_argument_errors(logits):
    s = logits(SHAPE, seed=25)
    with pytest.raises(ValueError, match=r'\(N, C, H, W\)'):
        cwd_loss(s[:, :, 0, 0], s[:, :, 0, 0])
    with pytest.raises(ValueError, match=r'H \* W > 0'):  # no positions
        cwd_loss(s[:, :, :0, :0], s[:, :, :0, :0])
    with pytest.raises(ValueError, match='same shape'):
        cwd_loss(s, s[:, :, :2])
    with pytest.raises(TypeError, match='student logits must be floating'):
        cwd_loss(s.long(), s)  # would be a truncated integer loss
    for T in (0., 1e5):
        with pytest.raises(ValueError, match='temperature must lie in'):
            cwd_loss(s, s, temperature=T)
    with pytest.raises(ValueError, match='reduction'):
        cwd_loss(s, s, reduction='batchmean')
    with pytest.raises(ValueError, match='loss_weight'):
        CWDLoss(loss_weight=-1.)


@pytest.mark.parametrize('registry', ['mmengine', 'mmseg'])
def test_registry_builds_cwd_loss(registry, logits, labels):
    import gdkd_seg  # noqa: F401  (registers the losses)
    MODELS = importlib.import_module(f'{registry}.registry').MODELS
    loss = MODELS.build(dict(type='CWDLoss', temperature=4.0,
                             loss_weight=3.0))
    assert type(loss) is CWDLoss and loss.loss_name == 'loss_cwd'
    s, t = logits(SHAPE, seed=26), logits(SHAPE, seed=27)
    y = labels((2, 3, 5), 4, seed=28, ignore_frac=0.2)
    value, parts = loss(s, t, y, return_parts=True)
    torch.testing.assert_close(value, 3.0 * cwd_loss(s, t, y,
                                                     temperature=4.0))
    assert parts == {}
    assert 'temperature=4.0' in repr(loss) and 'loss_weight=3.0' in repr(
        loss)


@pytest.mark.parametrize('dtype', [torch.float32, torch.float16,
                                   torch.bfloat16])
@pytest.mark.parametrize('case', ['random', 'uniform', 'offset'])
def test_float64_maths_within_the_range(dtype, case):
    """As the class-axis losses (test_base.py): for T from T_MIN to T_MAX
    (the configs' 1 and 4, CTKD's up to 21), logits up to 1e4 in float32,
    fp16 or bf16, the loss is finite, >= 0 and within
    ``4 eps (A + B + ln HW) (T^2 + L)`` of the float64 maths."""
    g = torch.Generator().manual_seed(71)
    shape = (2, 3, 4, 5)
    s64, t64 = (3 * torch.randn(shape, generator=g, dtype=torch.float64)
                for _ in range(2))
    if case == 'uniform':
        s64, t64 = (1e4 * (2 * torch.rand(shape, generator=g).double() - 1)
                    for _ in range(2))
    elif case == 'offset':
        s64, t64 = s64 - 1e4, t64 + 1e4
    s, t = s64.to(dtype), t64.to(dtype)
    eps = torch.finfo(torch.float32).eps
    for T in (T_MIN, 1.0, 4.0, 15.62, 21.0, T_MAX):
        loss = cwd_loss(s, t, temperature=T)
        assert loss.dtype == torch.float32
        assert torch.isfinite(loss) and loss >= 0
        ref, _ = naive_cwd(s, t, None, T)
        size = float(s.double().abs().max() + t.double().abs().max()) / T
        bound = 4 * eps * (size + math.log(20)) * (T**2 + ref)
        assert abs(loss.item() - ref) <= bound, (T, loss.item(), ref)


# ----------------------------------------------------------------------
# logit standardization (DERIVED: per position over the classes, then CWD)
# ----------------------------------------------------------------------
@pytest.mark.parametrize('T', [1.0, 4.0])
@pytest.mark.parametrize('ignore_frac', [0.0, 0.4])
def test_logit_stand_is_cwd_of_per_pixel_z_scores(logits, labels, T,
                                                  ignore_frac):
    """``logit_stand=True`` is CWD of each position's class vector
    Z-scored (numpy float64, one pixel at a time) and the naive CWD; a
    standardisation over another axis (space, or a channel map) fails."""
    s, t = logits(SHAPE, seed=3) * 3, logits(SHAPE, seed=4) + 2
    y = labels((2, 3, 5), 4, seed=5, ignore_frac=ignore_frac)

    def z(x):
        x = x.detach().double().numpy()
        out = np.empty_like(x)
        for n, h, w in np.ndindex(x.shape[0], x.shape[2], x.shape[3]):
            out[n, :, h, w] = np_standardize(x[n, :, h, w])
        return torch.from_numpy(out)

    ref, ref_map = naive_cwd(z(s), z(t), y != 255, T)
    loss = cwd_loss(s, t, y, temperature=T, logit_stand=True)
    np.testing.assert_allclose(loss.item(), ref, rtol=1e-10)
    loss_map = cwd_loss(s, t, y, temperature=T, logit_stand=True,
                        reduction='none')
    np.testing.assert_allclose(loss_map.numpy(), ref_map, rtol=1e-9,
                               atol=1e-13)
    # the scale and shift of a pixel's logits no longer matter (up to
    # the 1e-7 added to the std)
    scaled = cwd_loss(s * 5 + 1, t, y, temperature=T, logit_stand=True)
    torch.testing.assert_close(scaled, loss, rtol=1e-6, atol=0)
    assert not math.isclose(cwd_loss(s, t, y, temperature=T).item(),
                            loss.item(), rel_tol=1e-3)
    module = CWDLoss(temperature=T, loss_weight=3.0, logit_stand=True)
    torch.testing.assert_close(module(s, t, y), 3.0 * loss, rtol=1e-12,
                               atol=0)
