"""The partition kernel ``gdkd_seg/models/losses/partition.py``.

``top_masks`` against ``torch.topk``; ``partition_kl`` (through the
index-group helper ``partitioned_kl`` of ``conftest.py``) against the
naive and the 50-digit references, on explicit groups; and the split
between the fast kernel (one shift per row) and the exact one (a shift
per group), which must be invisible in values and gradients.
"""
import itertools

import numpy as np
import pytest
import torch

from gdkd_seg.models.losses import gdkd_loss
from gdkd_seg.models.losses import partition
from gdkd_seg.models.losses.partition import top_masks
from tests.models.losses.conftest import partitioned_kl


# the teacher's top-k partition
# ----------------------------------------------------------------------
def _topk_masks(b, k, split_top1):
    index = b.topk(k, dim=1, sorted=split_top1).indices
    parts = index.split([1, k - 1], dim=1) if split_top1 else [index]
    return [torch.zeros_like(b).scatter_(1, p, 1.) for p in parts]


# (k, split_top1): splitting off the top-1 needs k >= 2 (GDKD3)
K_SPLIT = [(k, split)
           for k, split in itertools.product([1, 2, 4], [False, True])
           if not (split and k == 1)]


@pytest.mark.parametrize('shape', [(2, 7, 3, 5), (6, 40), (4, 9)])
@pytest.mark.parametrize('k,split_top1', K_SPLIT)
@pytest.mark.parametrize('ties', [False, True])
def test_top_masks_equal_topk(shape, k, split_top1, ties):
    """The fast selection gives torch.topk's partition, ties included
    (integer logits: many ties, some rows fully tied), and the maxima of
    the groups."""
    g = torch.Generator().manual_seed(k + 10 * len(shape))
    b = torch.randn(shape, generator=g, dtype=torch.float64)
    if ties:
        b = (2 * b).round()
        b[0] = 1.0  # a fully tied row / image
    masks, maximum = top_masks(b, k, split_top1)
    for ours, ref in zip(masks, _topk_masks(b, k, split_top1)):
        assert ours.dtype == b.dtype and torch.equal(ours, ref)
    ranked = b.sort(dim=1, descending=True).values
    torch.testing.assert_close(maximum, ranked[:, :1], rtol=0, atol=0)


# ----------------------------------------------------------------------
# partitioned_kl with explicit groups
# ----------------------------------------------------------------------
def _random_groups(shape, sizes, seed):
    """Disjoint random class groups per pixel, as index tensors."""
    N, C = shape[:2]
    g = torch.Generator().manual_seed(seed)
    perm = torch.rand(shape, generator=g).argsort(dim=1)
    return list(perm[:, :sum(sizes)].split(sizes, dim=1))


def test_partitioned_kl_matches_naive_terms(logits, naive):
    """Three explicit groups of sizes 1, 2, 3 plus a rest of 2 classes."""
    shape = (2, 8, 3, 4)
    a, b = logits(shape, seed=41), logits(shape, seed=42)
    groups = _random_groups(shape, [1, 2, 3], seed=43)
    w_low = [0.3, 1.7, 2.2]
    out = partitioned_kl(a, b, groups, 1.3, w_low, 0.9)
    for n, h, w in np.ndindex(2, 3, 4):
        sets = [g[n, :, h, w].tolist() for g in groups]
        ref = naive.terms(a[n, :, h, w].numpy(), b[n, :, h, w].numpy(), sets,
                          1.0)
        assert out['low0'][n, h, w] == 0  # one-class group
        total = 1.3 * ref['high'] + 0.9 * ref['rest'] + sum(
            wj * ref[f'low{j}'] for j, wj in enumerate(w_low))
        for key, value in [('high', ref['high']), ('rest', ref['rest']),
                           ('low1', ref['low1']), ('low2', ref['low2']),
                           ('total', total)]:
            assert out[key][n, h, w].item() == pytest.approx(value,
                                                             rel=1e-12,
                                                             abs=1e-14)
        # chain rule of KL over any partition: KD = high + sum_U m_U low_U
        m = ref['masses_q']
        kd = ref['high'] + sum(m[j] * ref[f'low{j}']
                               for j in range(3)) + m[3] * ref['rest']
        assert kd == pytest.approx(ref['kd'], rel=1e-12)


def test_partitioned_kl_one_class_group_is_inert(logits):
    """A one-class group has no inner distribution: its term is exactly 0
    and its weight changes neither the total nor the gradient."""
    shape = (2, 5, 2, 3)
    a = logits(shape, seed=44).requires_grad_()
    b = logits(shape, seed=45)
    groups = _random_groups(shape, [1, 2], seed=46)
    totals, grads = [], []
    for w in (1.0, 5.0):
        out = partitioned_kl(a, b, groups, 1., [w, 1.], 1.)
        assert (out['low0'] == 0).all()
        totals.append(out['total'])
        grads.append(torch.autograd.grad(out['total'].sum(), a)[0])
    assert torch.equal(totals[0], totals[1])
    assert torch.equal(grads[0], grads[1])
    # the inner term of a group only moves the logits of that group
    out = partitioned_kl(a, b, groups, 1., [1., 1.], 1.)
    grad = torch.autograd.grad(out['low1'].sum(), a)[0]
    in_low1 = torch.zeros(shape, dtype=torch.bool).scatter_(
        1, groups[1], True)
    assert (grad[~in_low1] == 0).all() and (grad[in_low1] != 0).all()


def test_partitioned_kl_gradcheck_every_term(logits):
    """Each term's own gradient (high, every low, rest), not only the
    weighted total: parts may be back-propagated on their own."""
    shape = (2, 7, 2, 3)
    a = logits(shape, seed=49).requires_grad_()
    b = logits(shape, seed=50)
    groups = _random_groups(shape, [1, 2, 3], seed=51)

    def terms(x):
        out = partitioned_kl(x, b, groups, 1., [1., 1., 1.], 1.)
        return out['high'], out['low1'], out['low2'], out['rest']

    assert torch.autograd.gradcheck(terms, (a, ))


# ----------------------------------------------------------------------
# the fast kernel and the exact one
# ----------------------------------------------------------------------
@pytest.fixture
def exact_rows(monkeypatch):
    """Counts the rows sent to the exact kernel (a spy, not a stub)."""
    calls = []
    real = partition._exact_terms

    def spy(a, *args):
        calls.append(a.shape[0])
        return real(a, *args)

    monkeypatch.setattr(partition, '_exact_terms', spy)
    return calls


def _raise_top(s, t, k, gap, where):
    """Add ``gap`` to the teacher's top-k classes of both networks at the
    pixels ``where``: their rest masses fall ~``gap`` nats below."""
    top = t.topk(k, dim=1).indices
    bump = torch.zeros_like(t).scatter_(1, top, gap) * where.unsqueeze(1)
    return s + bump, t + bump


def test_mixed_rows_match_exact_reference(logits, naive, exact_rows):
    """Half the pixels ordinary (fast kernel), half with the rest 1e3 nats
    down (exact kernel): values equal the 50-digit reference and the
    gradient passes gradcheck across both kernels."""
    shape, k = (2, 6, 3, 4), 2
    s, t = logits(shape, seed=60), logits(shape, seed=61)
    where = torch.arange(24).view(2, 3, 4) % 2 == 0
    s, t = _raise_top(s, t, k, 1e3, where.double())
    hp = dict(k=k, w0=1.0, w1=1.0, w2=2.0, temperature=1.0)
    out, parts = gdkd_loss(s, t, reduction='none', return_parts=True, **hp)
    assert exact_rows == [12]
    ref = naive.loss_map('gdkd', s, t, None, hp, exact=True)
    atol = 16 * torch.finfo(torch.float64).eps * 1e3
    for name in ('high', 'low_top', 'low_other'):
        np.testing.assert_allclose(parts[name].numpy(), ref[name], rtol=0,
                                   atol=atol)
    np.testing.assert_allclose(out.numpy(), ref['total'], rtol=0, atol=atol)
    s.requires_grad_()
    assert torch.autograd.gradcheck(
        lambda x: gdkd_loss(x, t, reduction='none', **hp), (s, ))


@pytest.mark.parametrize('gap', [20., 60., 85., 95., 100., 150.])
def test_float32_rows_keep_their_digits(logits, naive, exact_rows, gap):
    """In float32 a group ~87 nats below the row's maximum underflows to
    subnormals under one shared shift; such rows must go to the exact
    kernel (a lower threshold loses whole digits near gap 95-100)."""
    shape, k = (2, 6, 2, 3), 2
    s = logits(shape, seed=62, dtype=torch.float32)
    t = logits(shape, seed=63, dtype=torch.float32)
    s, t = _raise_top(s, t, k, gap, torch.ones(2, 2, 3))
    hp = dict(k=k, w0=1.0, w1=1.0, w2=2.0, temperature=1.0)
    out, parts = gdkd_loss(s, t, reduction='none', return_parts=True, **hp)
    ref = naive.loss_map('gdkd', s, t, None, hp, exact=True)
    atol = 16 * torch.finfo(torch.float32).eps * gap
    for name in ('high', 'low_top', 'low_other'):
        np.testing.assert_allclose(parts[name].double().numpy(), ref[name],
                                   rtol=1e-5, atol=atol)
    if gap <= 60:
        assert exact_rows == []
    if gap >= 95:
        assert sum(exact_rows) == 12


def test_nan_at_a_valid_pixel_surfaces(logits):
    """A NaN where the loss counts must reach the loss (the distiller then
    stops), not be cleaned away or masked like an ignored pixel."""
    s, t = logits((2, 5, 3, 4), seed=64), logits((2, 5, 3, 4), seed=65)
    y = torch.zeros(2, 3, 4, dtype=torch.long)
    y[0, 0, 0] = 255
    for student, teacher in [(s.clone(), t), (s, t.clone())]:
        (student if student is not s else teacher)[1, 2, 1, 1] = float('nan')
        assert torch.isnan(gdkd_loss(student, teacher, y, k=2))
