"""MLKD: the upstream vectors, gradcheck, identities and the two variants.

The vectors (``tests/data/vectors_ext``, listed in ``mlkd_index.json``
with their upstream commits) were made by calling the official MLKD code
and the logit-standardization repo's copy. A file listed there and
missing is an error, not a skip.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gdkd_seg.models.losses import (MLKDLoss, kd_loss, mlkd_batch,
                                    mlkd_class, mlkd_instance, mlkd_loss)
from gdkd_seg.models.losses.mlkd_loss import confidence_masks
from gdkd_seg.registry import MODELS

VECTORS = Path(__file__).resolve().parents[2] / 'data' / 'vectors_ext'
ENTRIES = json.loads((VECTORS / 'mlkd_index.json').read_text())['files']
LEVELS = {'instance': mlkd_instance, 'class': mlkd_class,
          'batch': mlkd_batch}
TEMPS = (3.0, 5.0, 2.0, 6.0)  # added to the configured T (KD_ours.py)


def _load(entry):
    return np.load(VECTORS / entry['file'])


def _grad_atol(ref: np.ndarray) -> float:
    # float32: the upstream gradients are themselves up to 1e-6 x max
    # from the float64 value (measured on the b8 batch level at T = 5),
    # so 2e-6 x max; float64: 1e-12 x max
    scale = 1e-12 if ref.dtype == np.float64 else 2e-6
    return scale * float(np.abs(ref).max())


def _loss_tol(ref: np.ndarray) -> dict:
    return dict(rtol=1e-10 if ref.dtype == np.float64 else 1e-5, atol=0)


def test_every_indexed_vector_is_here():
    listed = {e['file'] for e in ENTRIES}
    assert listed == {p.name for p in VECTORS.glob('*mlkd*.npz')}
    assert all(e['family'] == 'MLKD' for e in ENTRIES)


@pytest.mark.parametrize(
    'entry', [e for e in ENTRIES if e['mlkd_level'] in LEVELS],
    ids=lambda e: e['file'])
def test_level_matches_upstream(entry):
    z = _load(entry)
    hp = entry['hyperparams']
    s = torch.tensor(z['student'], requires_grad=True)
    t = torch.tensor(z['teacher'], requires_grad=True)
    fn = LEVELS[entry['mlkd_level']]
    kwargs = {'logit_stand': hp['logit_stand']} if 'logit_stand' in hp \
        else {}
    loss = fn(s, t, hp['T'], **kwargs)
    loss.backward()
    np.testing.assert_allclose(loss.detach().numpy(), z['loss'],
                               **_loss_tol(z['loss']))
    np.testing.assert_allclose(s.grad.numpy(), z['grad_student'], rtol=0,
                               atol=_grad_atol(z['grad_student']))
    assert t.grad is None  # the teacher never gets gradient


@pytest.mark.parametrize(
    'entry', [e for e in ENTRIES if e['mlkd_level'] == 'full'],
    ids=lambda e: e['file'])
def test_full_loss_matches_upstream(entry):
    """``MLKDLoss`` gives upstream's ``losses_dict`` values; with the CE of
    both views (the distiller's part) the trainer's total and gradients.
    """
    z = _load(entry)
    hp = entry['hyperparams']
    assert hp['temps'] == [hp['T'], *TEMPS]
    sw = torch.tensor(z['student_weak'], requires_grad=True)
    ss = torch.tensor(z['student_strong'], requires_grad=True)
    tw, ts = torch.tensor(z['teacher_weak']), torch.tensor(z['teacher_strong'])
    out = MLKDLoss(temperature=hp['T'], kd_weight=hp['kd_weight'],
                   logit_stand=hp['logit_stand'])(sw, tw, ss, ts)
    assert set(out) == {'loss_mlkd_kd', 'loss_mlkd_cc', 'loss_mlkd_bc'}
    for level in ('kd', 'cc', 'bc'):
        np.testing.assert_allclose(
            out[f'loss_mlkd_{level}'].detach().numpy(),
            z[f'comp_loss_{level}'], rtol=1e-5, atol=0, err_msg=level)
    y = torch.tensor(z['target'])
    ce = hp['ce_weight'] * (F.cross_entropy(sw, y) + F.cross_entropy(ss, y))
    total = ce + sum(out.values())
    total.backward()
    np.testing.assert_allclose(total.detach().numpy(), z['loss'], rtol=1e-5)
    for name, grad in (('weak', sw.grad), ('strong', ss.grad)):
        ref = z[f'grad_student_{name}']
        np.testing.assert_allclose(grad.numpy(), ref, rtol=0,
                                   atol=_grad_atol(ref), err_msg=name)


def _logits(b=6, c=10, seed=0, dtype=torch.float64, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    return [scale * torch.randn(b, c, generator=g, dtype=dtype)
            for _ in range(4)]


@pytest.mark.parametrize('temperature', [1.0, 2.0, 4.0, 6.0])
@pytest.mark.parametrize('logit_stand', [False, True])
def test_instance_level_is_our_kd(temperature, logit_stand):
    s, t, _, _ = _logits(b=16, c=100, seed=int(temperature))
    ours = kd_loss(s, t, None, temperature=temperature,
                   logit_stand=logit_stand, ignore_index=None)
    torch.testing.assert_close(
        mlkd_instance(s, t, temperature, logit_stand=logit_stand), ours,
        rtol=1e-12, atol=0)


def test_gram_levels_match_a_numpy_reference():
    s, t, _, _ = _logits(b=5, c=7, seed=3)

    def gram_sq(x, y, temperature, axis):
        p = [np.exp(v / temperature) / np.exp(v / temperature).sum(
            1, keepdims=True) for v in (x, y)]
        g = [np.einsum('bc,bd->cd' if axis == 'class' else 'bc,dc->bd', q,
                       q) for q in p]
        return ((g[1] - g[0])**2).sum()

    for temperature in (1.0, 4.0):
        np.testing.assert_allclose(
            mlkd_class(s, t, temperature).numpy(),
            gram_sq(s.numpy(), t.numpy(), temperature, 'class') / 7,
            rtol=1e-12)
        np.testing.assert_allclose(
            mlkd_batch(s, t, temperature).numpy(),
            gram_sq(s.numpy(), t.numpy(), temperature, 'batch') / 5,
            rtol=1e-12)


def test_gram_levels_scale_with_the_batch_as_documented():
    """A batch repeated twice: the class Gram doubles (its loss x4, divided
    by C only); the batch Gram gets four copies (x4) over 2B (x1/2)."""
    s, t, _, _ = _logits(b=6, c=9, seed=4)
    s2, t2 = torch.cat([s, s]), torch.cat([t, t])
    torch.testing.assert_close(mlkd_class(s2, t2, 4.0),
                               4 * mlkd_class(s, t, 4.0))
    torch.testing.assert_close(mlkd_batch(s2, t2, 4.0),
                               2 * mlkd_batch(s, t, 4.0))
    torch.testing.assert_close(mlkd_instance(s2, t2, 4.0),
                               mlkd_instance(s, t, 4.0))


def test_unreduced_maps():
    s, t, _, _ = _logits(b=6, c=9, seed=5)
    per_row = mlkd_instance(s, t, 3.0, reduction='none')
    assert per_row.shape == (6, )
    torch.testing.assert_close(per_row.mean(), mlkd_instance(s, t, 3.0))
    cmap = mlkd_class(s, t, 3.0, reduction='none')
    bmap = mlkd_batch(s, t, 3.0, reduction='none')
    assert cmap.shape == (9, 9) and bmap.shape == (6, 6)
    torch.testing.assert_close(cmap.sum(), mlkd_class(s, t, 3.0))
    torch.testing.assert_close(bmap.sum(), mlkd_batch(s, t, 3.0))


@pytest.mark.parametrize('fn', [
    lambda s, t: mlkd_instance(s, t, 3.0),
    lambda s, t: mlkd_instance(s, t, 2.0, logit_stand=True),
    lambda s, t: mlkd_class(s, t, 2.0),
    lambda s, t: mlkd_batch(s, t, 5.0),
], ids=['instance', 'instance_ls', 'class', 'batch'])
def test_gradcheck_levels(fn):
    s, t, _, _ = _logits(b=4, c=5, seed=6)
    s.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x: fn(x, t), (s, ))


@pytest.mark.parametrize('variant', ['published', 'intent'])
@pytest.mark.parametrize('logit_stand', [False, True])
def test_gradcheck_full(variant, logit_stand):
    sw, tw, ss, ts = _logits(b=4, c=5, seed=7)
    sw.requires_grad_(True), ss.requires_grad_(True)

    def total(a, b):
        out = mlkd_loss(a, tw, b, ts, temperature=4.0, kd_weight=0.9,
                        logit_stand=logit_stand, variant=variant)
        return sum(out.values())

    # fast mode (a random projection of the Jacobian): 30 loss terms per
    # evaluation make the full Jacobian slow on a shared CPU
    assert torch.autograd.gradcheck(total, (sw, ss), fast_mode=True)


def test_confidence_masks_are_upstream_medians():
    """``<=`` the linear-interpolated median (np.percentile(., 50)) of the
    teacher's max probability per sample and summed probability per
    class; odd B keeps (B + 1) / 2 samples, ties at the median are all
    kept."""
    for b, seed in ((7, 0), (8, 1), (64, 2)):
        t = _logits(b=b, c=100, seed=seed, dtype=torch.float32)[1]
        sample, cls = confidence_masks(t)
        p = torch.softmax(t, 1).numpy()
        conf, cconf = p.max(1), p.sum(0)
        np.testing.assert_array_equal(
            sample.numpy(), conf <= np.percentile(conf, 50))
        np.testing.assert_array_equal(
            cls.numpy(), cconf <= np.percentile(cconf, 50))
    assert int(confidence_masks(_logits(b=7, c=100)[1])[0].sum()) == 4
    tied = torch.zeros(6, 10)
    tied[:, 0] = 20.  # saturated, equal confidences
    assert bool(confidence_masks(tied)[0].all())


def _published_by_hand(sw, tw, ss, ts, temperature, w):
    """``KD_ours.forward_train`` 89-255 restated term by term."""
    sample, cls = confidence_masks(tw)
    f, fc = sample.double().mean(), cls.double().mean()
    temps = (temperature, *TEMPS)
    kd = sum(w * mlkd_instance(sw, tw, T) * f for T in temps)
    kd += sum(w * mlkd_instance(ss, ts, T) for T in temps[:3])
    kd += sum(w * mlkd_instance(sw, tw, T) for T in (2.0, 6.0))
    cc = sum(w * mlkd_class(sw, tw, T) * fc for T in temps)
    bc = sum(w * mlkd_batch(sw, tw, T) * f for T in temps)
    return kd, cc, bc


def test_published_variant_term_by_term():
    sw, tw, ss, ts = _logits(b=7, c=12, seed=8)
    out = mlkd_loss(sw, tw, ss, ts, temperature=4.0, kd_weight=0.9)
    kd, cc, bc = _published_by_hand(sw, tw, ss, ts, 4.0, 0.9)
    torch.testing.assert_close(out['loss_mlkd_kd'], kd)
    torch.testing.assert_close(out['loss_mlkd_cc'], cc)
    torch.testing.assert_close(out['loss_mlkd_bc'], bc)
    # the strong view enters only the instance level
    ss2 = ss + torch.randn_like(ss)
    out2 = mlkd_loss(sw, tw, ss2, ts, temperature=4.0, kd_weight=0.9)
    assert torch.equal(out['loss_mlkd_cc'], out2['loss_mlkd_cc'])
    assert torch.equal(out['loss_mlkd_bc'], out2['loss_mlkd_bc'])


def test_intent_variant_selects_and_uses_the_strong_view():
    sw, tw, ss, ts = _logits(b=8, c=12, seed=9)
    sw.requires_grad_(True)
    sample, cls = confidence_masks(tw)
    out = mlkd_loss(sw, tw, ss, ts, temperature=4.0, kd_weight=0.5,
                    variant='intent')
    temps = (4.0, *TEMPS)
    # instance level: the kept rows' KL over B, and every T on the strong
    # view
    kd = sum(0.5 * (mlkd_instance(sw, tw, T, reduction='none') *
                    sample).sum() / 8 + 0.5 * mlkd_instance(ss, ts, T)
             for T in temps)
    torch.testing.assert_close(out['loss_mlkd_kd'], kd)
    # a weak row the mask leaves out gets no instance-level gradient
    grad, = torch.autograd.grad(out['loss_mlkd_kd'], sw)
    assert bool((grad[~sample] == 0).all()) and bool(
        (grad[sample] != 0).any())

    def masked_gram(x, y, T, axis, keep):
        p = [torch.softmax(v / T, 1) for v in (x, y)]
        g = [q.T @ q if axis == 'class' else q @ q.T for q in p]
        size = x.shape[1] if axis == 'class' else x.shape[0]
        return ((g[1] - g[0])**2 * keep).sum() / size

    ones = torch.ones(12, dtype=torch.bool)
    cc = sum(0.5 * (masked_gram(sw, tw, T, 'class', cls) +
                    masked_gram(ss, ts, T, 'class', ones)) for T in temps)
    bc = sum(0.5 * (masked_gram(sw, tw, T, 'batch', sample) +
                    masked_gram(ss, ts, T, 'batch', sample)) for T in temps)
    torch.testing.assert_close(out['loss_mlkd_cc'], cc)
    torch.testing.assert_close(out['loss_mlkd_bc'], bc)


def test_published_rescales_instead_of_selecting():
    sw, tw, ss, ts = _logits(b=8, c=12, seed=9)
    sw.requires_grad_(True)
    sample, _ = confidence_masks(tw)
    out = mlkd_loss(sw, tw, ss, ts, temperature=4.0, kd_weight=0.5)
    grad, = torch.autograd.grad(out['loss_mlkd_kd'], sw)
    assert bool((grad[~sample].abs().sum(1) > 0).all())


def test_logit_stand_touches_the_instance_level_only():
    sw, tw, ss, ts = _logits(b=8, c=12, seed=10)
    raw = mlkd_loss(sw, tw, ss, ts, temperature=2.0, kd_weight=9.0)
    ls = mlkd_loss(sw, tw, ss, ts, temperature=2.0, kd_weight=9.0,
                   logit_stand=True)
    assert torch.equal(raw['loss_mlkd_cc'], ls['loss_mlkd_cc'])
    assert torch.equal(raw['loss_mlkd_bc'], ls['loss_mlkd_bc'])
    assert not torch.allclose(raw['loss_mlkd_kd'], ls['loss_mlkd_kd'])
    # and it is invariant to a per-row affine map of the logits
    ls2 = mlkd_loss(3 * sw + 1, 2 * tw - 4, 0.5 * ss, ts + 7,
                    temperature=2.0, kd_weight=9.0, logit_stand=True)
    torch.testing.assert_close(ls['loss_mlkd_kd'], ls2['loss_mlkd_kd'])


def test_registered_module_defaults_and_arguments():
    loss = MODELS.build(dict(type='MLKDLoss'))
    assert (loss.temperature, loss.kd_weight, loss.logit_stand,
            loss.variant) == (4.0, 0.9, False, 'published')
    assert loss.needs_two_views
    sw, tw, ss, ts = _logits(b=6, c=10, seed=11)
    ref = mlkd_loss(sw, tw, ss, ts, temperature=2.0, kd_weight=3.0,
                    logit_stand=True, variant='intent')
    got = MLKDLoss(temperature=2.0, kd_weight=3.0, logit_stand=True,
                   variant='intent')(sw, tw, ss, ts)
    for key in ref:
        assert torch.equal(got[key], ref[key]), key


def test_bad_arguments_are_rejected():
    s, t, _, _ = _logits(b=4, c=5)
    with pytest.raises(ValueError, match='variant'):
        MLKDLoss(variant='paper')
    with pytest.raises(ValueError, match='temperature'):
        MLKDLoss(temperature=0.)
    with pytest.raises(ValueError, match='kd_weight'):
        MLKDLoss(kd_weight=-1.)
    with pytest.raises(ValueError, match='classification'):
        mlkd_instance(s.view(1, 4, 5, 1), t.view(1, 4, 5, 1), 4.0)
    with pytest.raises(ValueError, match='same shape'):
        mlkd_class(s, t[:3], 4.0)
    with pytest.raises(ValueError, match='reduction'):
        mlkd_batch(s, t, 4.0, reduction='mean')
    with pytest.raises(ValueError, match='one shape'):
        MLKDLoss()(s, t, s[:3], t[:3])


def test_edge_inputs():
    """B = 0 (the masks' medians are undefined) and integer logits give
    an error naming the argument; T outside the range is refused; fp16 /
    bf16 logits are computed in float32, as the other losses (torch's
    quantile takes no half precision)."""
    s, t, ss, ts = _logits(b=6, c=10, seed=12, dtype=torch.float32)
    with pytest.raises(ValueError, match='B=0'):
        mlkd_loss(s[:0], t[:0], ss[:0], ts[:0])
    with pytest.raises(ValueError, match='B=0'):
        mlkd_instance(s[:0], t[:0], 4.0)
    with pytest.raises(TypeError, match='student logits must be floating'):
        mlkd_class(s.long(), t, 4.0)
    with pytest.raises(ValueError, match='temperature must lie in'):
        mlkd_loss(s, t, ss, ts, temperature=1e5)
    with pytest.raises(ValueError, match='temperature must lie in'):
        MLKDLoss(temperature=0.)
    ref = mlkd_loss(s, t, ss, ts, logit_stand=True)
    for dtype in (torch.float16, torch.bfloat16):
        half = [x.to(dtype) for x in (s, t, ss, ts)]
        out = mlkd_loss(*half, logit_stand=True)
        upcast = mlkd_loss(*(x.float() for x in half), logit_stand=True)
        for key in ref:
            assert out[key].dtype == torch.float32
            assert torch.equal(out[key], upcast[key]), key
            torch.testing.assert_close(out[key], ref[key], rtol=5e-2,
                                       atol=1e-6)
