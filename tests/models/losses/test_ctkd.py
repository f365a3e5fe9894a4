"""CTKD: the learned temperature (GRL, schedule), the losses at a tensor
T (gradient through both softmaxes and T^2), the upstream vectors, the
registered wrapper."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub

from gdkd_seg.models.losses import (T_MAX, T_MIN, CTKDLoss, CTKDTemperature,
                                    GDKDLoss, ctkd_lambda, cwd_loss,
                                    dkd_loss, kd_loss)
from tests.models.losses.conftest import FUNCTIONS, HPARAMS

SHAPE = (2, 5, 3, 4)  # N, C, H, W
VECTORS = Path(__file__).resolve().parents[2] / 'data' / 'vectors_ext'


def _index():
    index = VECTORS / 'index.json'
    assert index.is_file(), f'reference vectors not found: {index}'
    return json.loads(index.read_text())['files']


def _load(name):
    path = VECTORS / name
    assert path.is_file(), f'{name} missing'
    return np.load(path)


def _ctkd_entries():
    entries = [e for e in _index()
               if e['family'] == 'CTKD' and e['task'] != 'schedule']
    assert entries
    return [pytest.param(e, id=e['file']) for e in entries]


# ----------------------------------------------------------------------
# the temperature module and the schedule
# ----------------------------------------------------------------------
def test_lambda_schedule_equals_upstream():
    """Cosine decay 0 -> -1 at the 1-indexed epochs (CIFAR: 10 loops;
    the ImageNet script's 5), and constant after the last loop."""
    z = _load('ctkd_lambda_schedule.npz')
    for loops in (10, 5):
        ours = [ctkd_lambda(int(e), loops) for e in z['epoch']]
        np.testing.assert_allclose(ours, z[f'lambda_cos_loops{loops}'],
                                   rtol=0, atol=1e-15)
    assert ctkd_lambda(1, 10) == pytest.approx(-0.02447174185242318)
    with pytest.raises(ValueError, match='loops'):
        ctkd_lambda(1, 0)


def test_temperature_forward_and_gradient_reversal():
    """T0 = 1 + 20 sigmoid(1); the layer passes the value unchanged and
    multiplies theta's gradient by lambda, exactly."""
    module = CTKDTemperature()
    assert module.theta.shape == () and module.theta.item() == 1.0
    T = module(-0.5)
    assert T.item() == pytest.approx(1 + 20 / (1 + np.exp(-1)), rel=1e-7)
    grads = {}
    for lam in (1.0, -0.5, 0.0):
        module.theta.grad = None
        (module(lam) ** 2).backward()
        grads[lam] = module.theta.grad.clone()
    torch.testing.assert_close(grads[-0.5], -0.5 * grads[1.0], rtol=0,
                               atol=0)
    assert grads[0.0] == 0 and grads[1.0] != 0
    sig = torch.sigmoid(torch.tensor(1.0))
    torch.testing.assert_close(grads[1.0], 2 * T.detach() * 20 * sig *
                               (1 - sig))
    with pytest.raises(ValueError, match='t_start'):
        CTKDTemperature(t_start=0.0)


def test_learned_temperature_is_clamped_into_the_range():
    """T stays in [T_MIN, T_MAX] whatever t_start, t_end and theta are
    (there theta gets no gradient); inside it the clamp changes nothing."""
    s = torch.randn(4, 5)
    module = CTKDTemperature(t_start=50.0, t_end=200.0)
    T = module(-1.0)
    assert T.item() == T_MAX
    T.backward()
    assert module.theta.grad == 0
    small = CTKDTemperature(t_start=1e-4, t_end=1e-3)
    T = small(-1.0)  # float32 T_MIN is a hair below 0.01: still accepted
    assert T == torch.tensor(T_MIN) and torch.isfinite(kd_loss(s, s + 1,
                                                              temperature=T))
    default = CTKDTemperature()
    with torch.no_grad():
        default.theta.fill_(-50.0)  # sigmoid ~ 0: T ~ t_start = 1
    assert default(-1.0).item() == pytest.approx(1.0)
    loss = CTKDLoss(dict(type='KDLoss'), t_start=90., t_end=50.)(s, s + 1)
    assert torch.isfinite(loss)


# ----------------------------------------------------------------------
# the losses at a tensor temperature
# ----------------------------------------------------------------------
def _all_losses():
    out = [pytest.param(name, ls, id=f'{name}{"+ls" if ls else ""}')
           for name in sorted(FUNCTIONS) for ls in (False, True)]
    return out + [pytest.param('cwd', False, id='cwd')]


def _call(name, s, t, y, T, ls):
    if name == 'cwd':
        return cwd_loss(s, t, y, temperature=T)
    return FUNCTIONS[name](s, t, y, **dict(HPARAMS[name], temperature=T,
                                           logit_stand=ls))


@pytest.mark.parametrize('name,ls', _all_losses())
def test_fixed_tensor_temperature_equals_float(name, ls, logits, labels):
    """CTKD at a fixed T is the loss at that T: same value and student
    gradient whether T is a number or a tensor that takes a gradient."""
    s, t = logits(SHAPE, seed=0), logits(SHAPE, seed=1)
    y = labels((2, 3, 4), 5, seed=2, ignore_frac=0.3)
    out = []
    for T in (2.5, torch.tensor(2.5, dtype=torch.float64,
                                requires_grad=True)):
        x = s.clone().requires_grad_()
        loss = _call(name, x, t, y, T, ls)
        loss.backward()
        out.append((loss.detach(), x.grad))
    torch.testing.assert_close(out[1][0], out[0][0], rtol=1e-12, atol=0)
    torch.testing.assert_close(out[1][1], out[0][1], rtol=1e-10,
                               atol=1e-14)


@pytest.mark.parametrize('name,ls', _all_losses())
def test_temperature_gradient_matches_finite_difference(name, ls, logits,
                                                        labels):
    """dL/dT by autograd (through the student's softmax, the teacher's
    and T^2) equals a central difference of the loss at numeric T,
    which runs the fast kernels: two independent routes."""
    s, t = logits(SHAPE, seed=3), logits(SHAPE, seed=4)
    y = labels((2, 3, 4), 5, seed=5, ignore_frac=0.3)
    T0, h = 1.7, 1e-5
    T = torch.tensor(T0, dtype=torch.float64, requires_grad=True)
    _call(name, s, t, y, T, ls).backward()
    fd = (_call(name, s, t, y, T0 + h, ls) -
          _call(name, s, t, y, T0 - h, ls)) / (2 * h)
    np.testing.assert_allclose(T.grad.item(), fd.item(), rtol=1e-7,
                               atol=1e-10)
    assert abs(fd.item()) > 1e-3  # a real gradient, not 0 = 0


@pytest.mark.parametrize('name,ls', _all_losses())
def test_gradcheck_student_and_temperature(name, ls, logits, labels):
    s = logits((2, 5, 2, 3), seed=6).requires_grad_()
    t = logits((2, 5, 2, 3), seed=7)
    y = labels((2, 2, 3), 5, seed=8, ignore_frac=0.3)
    T = torch.tensor(1.3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda x, temp: _call(name, x, t, y, temp, ls), (s, T))


def test_tensor_temperature_checks(logits):
    s = logits((4, 5), seed=9)
    with pytest.raises(ValueError, match='one value'):
        kd_loss(s, s, temperature=torch.ones(2, requires_grad=True))
    with pytest.raises(ValueError, match='temperature must lie in'):
        kd_loss(s, s, temperature=torch.tensor(-1.0, requires_grad=True))
    # a (1,)-shaped T as upstream's global_T gives a scalar loss
    loss = kd_loss(s, s + 1, temperature=torch.ones(1, requires_grad=True))
    assert loss.shape == ()


def test_float32_temperature_gradient_is_float32_maths(logits):
    """float32 inputs are computed in float32, temperature gradient
    included (no float64 path): the loss comes back in float32 and dL/dT
    is within float32 resolution of the float64 maths. At T ~ 15, dL/dT is
    ~1e-3 of L (the T^2 factor and the softened distributions nearly
    cancel), so float32 resolves it to ~1e-3 relative, as upstream's
    float32 code (docs/losses.md section 10)."""
    s32 = logits((16, 100), seed=10, dtype=torch.float32)
    t32 = logits((16, 100), seed=11, dtype=torch.float32)
    T = torch.tensor(15.6, requires_grad=True)
    loss = kd_loss(s32, t32, temperature=T)
    assert loss.dtype == torch.float32
    loss.backward()
    T64 = torch.tensor(15.6, dtype=torch.float32).double().requires_grad_()
    loss64 = kd_loss(s32.double(), t32.double(), temperature=T64)
    loss64.backward()
    np.testing.assert_allclose(loss.item(), loss64.item(), rtol=1e-6)
    np.testing.assert_allclose(T.grad.item(), T64.grad.item(), rtol=1e-2)
    assert abs(T64.grad.item()) < 1e-2 * loss64.item()  # the cancellation


@pytest.mark.parametrize('name', sorted(FUNCTIONS))
def test_ignored_pixels_give_no_temperature_gradient(name, logits, labels):
    """Garbage at ignored pixels (NaN; 1e30, and zeroed rows whose teacher
    is fully tied, so a top-k takes every class) reaches neither the loss
    nor dL/dT nor the student's gradient."""
    s, t = logits(SHAPE, seed=12), logits(SHAPE, seed=13)
    y = labels((2, 3, 4), 5, seed=14, ignore_frac=0.4)
    ignored = (y == 255).unsqueeze(1).expand(SHAPE)
    grads = []
    for bad in (False, True):
        s2, t2 = s.clone(), t.clone()
        if bad:
            s2[ignored], t2[ignored] = float('nan'), 1e30
        T = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
        s2.requires_grad_()
        _call(name, s2, t2, y, T, False).backward()
        grads.append((T.grad, s2.grad))
    torch.testing.assert_close(grads[1][0], grads[0][0], rtol=0, atol=0)
    torch.testing.assert_close(grads[1][1], grads[0][1], rtol=0, atol=0)


def upstream_dkd_at(s, t, y, T, alpha, beta):
    """mdistiller's DKD as CTKD evaluates it at its tensor T: summed
    probabilities for the binary masses, the -1000 mask for NCKD and
    ``F.kl_div`` (whose target gradient is NaN where the target is 0)."""
    gt = torch.zeros_like(s, dtype=torch.bool).scatter_(1, y[:, None], True)
    p_s, p_t = F.softmax(s / T, dim=1), F.softmax(t / T, dim=1)
    b_s = torch.stack([(p_s * gt).sum(1), (p_s * ~gt).sum(1)], 1)
    b_t = torch.stack([(p_t * gt).sum(1), (p_t * ~gt).sum(1)], 1)
    tckd = F.kl_div(b_s.log(), b_t, reduction='sum') * T**2 / s.shape[0]
    log_s = F.log_softmax(s / T - 1000 * gt, dim=1)
    p_t2 = F.softmax(t / T - 1000 * gt, dim=1)
    nckd = F.kl_div(log_s, p_t2, reduction='sum') * T**2 / s.shape[0]
    return alpha * tckd + beta * nckd


def test_ctkd_dkd_temperature_gradient_is_finite(logits):
    """CTKD + DKD (docs/losses.md §10): upstream's temperature gradient is
    NaN on current torch (the masked teacher probability is exactly 0
    inside ``kl_div``); ours is finite, equals upstream's loss and a
    central difference of the float64 loss."""
    s, t = logits((8, 100), seed=15), logits((8, 100), seed=16)
    y = torch.arange(8) * 7
    theta = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)

    def T_of(th):
        return 1 + 20 * torch.sigmoid(th)

    up = upstream_dkd_at(s, t, y, T_of(theta), 1.0, 2.0)
    (g_up, ) = torch.autograd.grad(up, theta)
    assert torch.isnan(g_up)
    ours = dkd_loss(s, t, y, alpha=1.0, beta=2.0, temperature=T_of(theta),
                    ignore_index=None)
    (g_ours, ) = torch.autograd.grad(ours, theta)
    assert torch.isfinite(g_ours)
    np.testing.assert_allclose(ours.item(), up.item(), rtol=1e-12)
    h = 1e-5  # the float64 loss is ~1e3 x its gradient: rounding ~1e-6
    fd = (dkd_loss(s, t, y, alpha=1.0, beta=2.0,
                   temperature=T_of(torch.tensor(1.0 + h, dtype=s.dtype)),
                   ignore_index=None) -
          dkd_loss(s, t, y, alpha=1.0, beta=2.0,
                   temperature=T_of(torch.tensor(1.0 - h, dtype=s.dtype)),
                   ignore_index=None)) / (2 * h)
    np.testing.assert_allclose(g_ours.item(), fd.item(), rtol=1e-5)


# ----------------------------------------------------------------------
# the upstream CTKD vectors
# ----------------------------------------------------------------------
@pytest.mark.parametrize('entry', _ctkd_entries())
def test_vector(entry):
    """One upstream training step: loss = gamma CE + alpha KD(T)
    [+ beta DKD(T)], T from theta and lambda; the student's gradient and
    theta's (after the reversal layer)."""
    z = _load(entry['file'])
    hp = entry['hyperparams']
    module = CTKDTemperature(hp['t_start'], hp['t_end'])
    with torch.no_grad():
        module.theta.fill_(float(z['temp_param']))
    s = torch.from_numpy(z['student']).requires_grad_()
    t = torch.from_numpy(z['teacher'])
    y = torch.from_numpy(z['target']).long()
    T = module(float(z['lambda']))
    np.testing.assert_allclose(T.item(), z['temperature'], rtol=1e-6)
    ls = hp.get('logit_stand', False)
    loss = hp['alpha'] * kd_loss(s, t, temperature=T, logit_stand=ls,
                                 ignore_index=None)
    if hp['gamma']:
        loss = loss + hp['gamma'] * F.cross_entropy(s, y)
    if hp['beta']:  # CTKD's DKD (train_student.py --dkd_alpha/--dkd_beta)
        loss = loss + hp['beta'] * dkd_loss(
            s, t, y, alpha=hp['dkd_alpha'], beta=hp['dkd_beta'],
            temperature=T, logit_stand=ls, ignore_index=None)
    loss.backward()
    grad_theta = module.theta.grad.item()
    assert np.isfinite(grad_theta) and torch.isfinite(s.grad).all()
    # the float64 central difference (good to ~1e-6) is the reference of
    # the temperature gradient: float32 maths resolves it to ~1e-2 (as
    # upstream's float32 value), float64 maths to ~1e-6
    fd = entry['fd_grad_temp_param_f64']
    np.testing.assert_allclose(grad_theta, fd, rtol=1e-2)
    np.testing.assert_allclose(_grad_theta_f64(entry, z), fd, rtol=1e-5)
    if entry['upstream_trusted']:
        # two float32 values, each within ~1e-2 of the float64 one
        np.testing.assert_allclose(grad_theta, z['grad_temp_param'],
                                   rtol=2e-2, atol=1e-9)
        # two float32 computations: with LS at T ~ 15.6 each is ~5e-6
        # (loss) and 1.6e-6 / 2.6e-6 of max|g| (upstream / ours) from
        # float64 maths; see the next test
        np.testing.assert_allclose(loss.item(), z['loss'],
                                   rtol=2e-5 if ls else 1e-5)
        g = z['grad_student']
        scale = 8e-6 if ls else 1e-6
        np.testing.assert_allclose(s.grad.numpy(), g, rtol=0,
                                   atol=scale * np.abs(g).max())


def _grad_theta_f64(entry, z):
    """theta's gradient of the vector's step with float64 logits and T."""
    hp = entry['hyperparams']
    module = CTKDTemperature(hp['t_start'], hp['t_end']).double()
    with torch.no_grad():
        module.theta.fill_(float(z['temp_param']))
    s = torch.from_numpy(z['student']).double()
    t = torch.from_numpy(z['teacher']).double()
    y = torch.from_numpy(z['target']).long()
    T = module(float(z['lambda']))
    ls = hp.get('logit_stand', False)
    loss = hp['alpha'] * kd_loss(s, t, temperature=T, logit_stand=ls,
                                 ignore_index=None)
    if hp['beta']:
        loss = loss + hp['beta'] * dkd_loss(
            s, t, y, alpha=hp['dkd_alpha'], beta=hp['dkd_beta'],
            temperature=T, logit_stand=ls, ignore_index=None)
    loss.backward()
    return module.theta.grad.item()


def _zscore_ls_repo(x):
    """The LS repo's ``normalize``: (x - mean) / (1e-7 + unbiased std)."""
    return (x - x.mean(1, keepdim=True)) / (1e-7 + x.std(1, keepdim=True))


@pytest.mark.parametrize('entry', _ctkd_entries())
def test_vector_inputs_against_float64_formula(entry):
    """The same step written as upstream's formula (``kl_div`` of
    ``log_softmax`` and ``softmax``, batchmean, x T^2) in float64 at the
    vector's T: ours agrees to float64 rounding on float64 inputs and to
    float32 rounding on the float32 ones."""
    z = _load(entry['file'])
    hp = entry['hyperparams']
    if hp['beta']:
        pytest.skip('the KD formula only')
    ls = hp.get('logit_stand', False)
    T = torch.tensor(float(z['temperature']), dtype=torch.float64)
    s64 = torch.from_numpy(z['student']).double().requires_grad_()
    t64 = torch.from_numpy(z['teacher']).double()
    y = torch.from_numpy(z['target']).long()
    zs, zt = (_zscore_ls_repo(s64), _zscore_ls_repo(t64)) if ls else (s64,
                                                                      t64)
    ref = hp['alpha'] * F.kl_div(F.log_softmax(zs / T, 1),
                                 F.softmax(zt / T, 1),
                                 reduction='batchmean') * T * T
    ref = ref + hp['gamma'] * F.cross_entropy(s64, y)
    ref.backward()
    g = s64.grad.numpy()
    for dtype, rtol, gtol in ((torch.float64, 1e-12, 1e-12),
                              (torch.float32, 1e-5, 4e-6 if ls else 1e-6)):
        s = torch.from_numpy(z['student']).to(dtype).requires_grad_()
        temp = torch.tensor(float(z['temperature']), dtype=dtype,
                            requires_grad=True)
        ours = hp['alpha'] * kd_loss(s, t64.to(dtype), temperature=temp,
                                     logit_stand=ls, ignore_index=None)
        ours = ours + hp['gamma'] * F.cross_entropy(s, y)
        ours.backward()
        np.testing.assert_allclose(ours.item(), ref.item(), rtol=rtol)
        np.testing.assert_allclose(s.grad.numpy(), g, rtol=0,
                                   atol=gtol * np.abs(g).max())


# ----------------------------------------------------------------------
# the registered wrapper
# ----------------------------------------------------------------------
@pytest.fixture
def hub():
    """A message hub whose 'epoch' / 'iter' the test sets."""
    return MessageHub.get_instance('ctkd_test')


def test_wrapper_runs_the_loss_at_the_learned_temperature(logits, labels,
                                                          hub):
    import gdkd_seg  # noqa: F401  (registers the losses)
    from gdkd_seg.registry import MODELS
    cfg = dict(type='GDKDLoss', k=2, w2=3.0, temperature=1.0,
               loss_weight=0.5)
    ctkd = MODELS.build(dict(type='CTKDLoss', loss=cfg, decay_loops=10))
    assert isinstance(ctkd.loss, GDKDLoss) and ctkd.loss_name == 'loss_gdkd'
    assert [n for n, _ in ctkd.named_parameters()] == ['temperature.theta']
    s = logits(SHAPE, seed=17).requires_grad_()
    t = logits(SHAPE, seed=18)
    y = labels((2, 3, 4), 5, seed=19, ignore_frac=0.2)
    hub.update_info('epoch', 2)  # the runner's 0-indexed epoch: 3rd
    loss, parts = ctkd(s, t, y, return_parts=True)
    lam = ctkd_lambda(3, 10)
    assert parts['grl_lambda'].item() == pytest.approx(lam)
    T0 = 1 + 20 * torch.sigmoid(torch.tensor(1.0))
    torch.testing.assert_close(parts['temperature'], T0)
    assert not parts['temperature'].requires_grad
    ref, ref_parts = GDKDLoss(k=2, w2=3.0, temperature=T0.item(),
                              loss_weight=0.5)(s, t, y, return_parts=True)
    torch.testing.assert_close(loss, ref, rtol=1e-6, atol=0)
    for name in ('high', 'low_top', 'low_other'):
        torch.testing.assert_close(parts[name], ref_parts[name], rtol=1e-6,
                                   atol=1e-9)
    loss.backward()
    assert ctkd.temperature.theta.grad is not None
    # lambda < 0: theta moves to raise the loss (gradient ascent)
    T = T0.clone().requires_grad_()
    dL_dT, = torch.autograd.grad(ctkd.loss(s, t, y, temperature=T), T)
    sig = torch.sigmoid(torch.tensor(1.0))
    torch.testing.assert_close(ctkd.temperature.theta.grad,
                               lam * dL_dT * 20 * sig * (1 - sig),
                               rtol=1e-5, atol=0)


def test_wrapper_schedule_by_iteration(logits, hub):
    ctkd = CTKDLoss(dict(type='KDLoss'), decay_loops=100, by='iter')
    s, t = logits((4, 5), seed=20), logits((4, 5), seed=21)
    hub.update_info('iter', 49)  # 50th iteration
    _, parts = ctkd(s, t, return_parts=True)
    assert parts['grl_lambda'].item() == pytest.approx(-0.5)
    with pytest.raises(ValueError, match="'epoch' or 'iter'"):
        CTKDLoss(dict(type='KDLoss'), by='step')
    with pytest.raises(ValueError, match='decay_loops'):
        CTKDLoss(dict(type='KDLoss'), decay_loops=0)


def test_wrapper_outside_a_runner_uses_the_final_lambda(logits):
    MessageHub.get_current_instance().runtime_info.pop('epoch', None)
    ctkd = CTKDLoss(dict(type='KDLoss'), lambda_min=-0.7)
    _, parts = ctkd(logits((4, 5), seed=22), logits((4, 5), seed=23),
                    return_parts=True)
    assert parts['grl_lambda'].item() == pytest.approx(-0.7)


def test_wrapper_checks_the_wrapped_loss():
    ctkd = CTKDLoss(dict(type='GDKDLoss', k=5))
    with pytest.raises(ValueError, match='1 <= k < C'):
        ctkd.check_num_classes(5)
    ctkd.check_num_classes(6)
    CTKDLoss(dict(type='KDLoss')).check_num_classes(2)
