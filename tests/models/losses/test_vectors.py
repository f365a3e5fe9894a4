"""Our losses against the upstream reference vectors (docs/losses.md §11).

Each vector holds logits, labels, the upstream loss, its gradient and, for
most methods, the unweighted sub-terms. The vectors are part of the
repository (``tests/data/vectors``, with ``index.json`` naming the
upstream commits; ``$GDKD_VECTORS`` points elsewhere, e.g. at a larger
set). A file the index lists but the folder lacks fails its test.

Ties (``cls_c10_ties``): the partition then depends on how a top-k breaks
ties, and the vectors store the upstream partition (``mask_*``). Where our
partition equals it, our loss function is compared directly; where it
differs, the tie is broken the stored way by raising the teacher's logits
of the stored groups by one or two ulps (a change far below the
tolerances), our partition is checked to be the stored one, and our loss
function runs on it -- both are real checks of our code.
"""
import json
import os
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import pytest
import torch

from gdkd_seg.models.losses import (dkd_loss, gdkd3_loss, gdkd_loss, kd_loss,
                                    logit_standardize)

DATA = Path(__file__).resolve().parents[2] / 'data'
VECTORS = Path(os.environ.get('GDKD_VECTORS', DATA / 'vectors'))
INDEX = VECTORS / 'index.json'

# upstream's experimental LS_GDKD standardises inside the partition with a
# biased std (docs/losses.md §6); this project does not implement it
UNCOVERED_NORM_MODES = ('both', 'other')
# logged statistics of the raw logits in the LSKD vectors, not loss terms
NOT_LOSS_TERMS = ('mean_student', 'std_student', 'mean_teacher',
                  'std_teacher')
# the case kinds of the shared set, where upstream's numbers are exact; on
# any other kind (extreme logits) upstream may be inf / NaN / leaked, and
# our loss is checked against the exact reference instead (section 11)
UPSTREAM_EXACT_KINDS = ('random', 'ties', 'seg')


def _params():
    # no index is an error of the whole module, not a skip
    assert INDEX.is_file(), f'reference vectors not found: {INDEX}'
    params = []
    for entry in json.loads(INDEX.read_text())['files']:
        marks = []
        mode = entry['hyperparams'].get('norm_mode')
        if mode in UNCOVERED_NORM_MODES:
            marks.append(
                pytest.mark.skip(
                    reason=f'LS_GDKD norm_mode={mode!r} (in-group '
                    'standardisation) is not covered by our definitions'))
        # DKD-top1 is both DKD with the teacher's argmax as the label and
        # GDKD with k = 1: check both routes
        routes = ['argmax', 'gdkd_k1'] if entry['method_id'].startswith(
            'dkdmod_top1') else [None]
        for route in routes:
            suffix = f'[{route}]' if route else ''
            params.append(
                pytest.param(entry, route, id=entry['file'] + suffix,
                             marks=marks))
    return params


def _settings(entry):
    hp = entry['hyperparams']
    T = hp['T'] if 'T' in hp else hp['T_base']
    if entry['task'] == 'segmentation':
        ignore_index = hp.get('ignore_index', 255)  # seg DKD: 255 -> -1
    else:
        ignore_index = None  # all classification labels are valid
    return T, entry['logit_standardization'], ignore_index


def _partitions(entry, route, z, b) -> Optional[tuple]:
    """(ours, stored) lists of (N, C) group masks, or None when the vector
    stores no partition. ``b`` is our scaled teacher."""
    family, hp = entry['family'], entry['hyperparams']
    C = b.shape[1]

    def as_mask(index):
        return torch.zeros_like(b, dtype=torch.bool).scatter_(1, index, True)

    if route == 'argmax':
        ours = [as_mask(b.argmax(1, keepdim=True))]
        keys = ['mask_top1']
    elif route == 'gdkd_k1':
        ours = [as_mask(b.topk(1, dim=1, sorted=False).indices)]
        keys = ['mask_top1']
    elif family == 'GDKD':
        ours = [as_mask(b.topk(hp['k'], dim=1, sorted=False).indices)]
        keys = ['mask_topk']
    elif family == 'GDKD3':
        top = b.topk(hp['k'], dim=1, sorted=True).indices
        ours = [as_mask(top[:, :1]), as_mask(top[:, 1:])]
        keys = ['mask_top1', 'mask_top2_k']
    else:
        return None
    if not all(key in z.files for key in keys):
        return None
    stored = [torch.from_numpy(z[key]) for key in keys]
    assert all(m.shape == (b.shape[0], C) for m in stored)
    return ours, stored


def _call_loss(entry, route, s, t, y):
    """Our public loss function for the vector's method."""
    T, ls, ignore_index = _settings(entry)
    hp, family = entry['hyperparams'], entry['family']
    kw = dict(temperature=T, logit_stand=ls, ignore_index=ignore_index,
              return_parts=True)
    if family == 'KD':
        return kd_loss(s, t, y, **kw)
    if family == 'DKD':
        if route == 'gdkd_k1':
            loss, parts = gdkd_loss(s, t, y, k=1, w0=hp['alpha'], w1=0.,
                                    w2=hp['beta'], **kw)
            return loss, dict(tckd=parts['high'], nckd=parts['low_other'])
        label = t.argmax(1) if route == 'argmax' else y
        return dkd_loss(s, t, label, alpha=hp['alpha'], beta=hp['beta'],
                        **kw)
    if family == 'GDKD':
        return gdkd_loss(s, t, y, k=hp['k'], w0=hp['w0'], w1=hp['w1'],
                         w2=hp['w2'], **kw)
    if family == 'GDKD3':
        return gdkd3_loss(s, t, y, k=hp['k'], w0=hp['w0'], w1=hp['w1'],
                          w2=hp['w2'], **kw)
    raise AssertionError(f'unknown family {family!r} in {entry["file"]}')


def _scaled(entry, logits):
    """``logits / T``, Z-scored first for LS vectors (as the losses)."""
    T, ls, _ = _settings(entry)
    return (logit_standardize(logits) if ls else logits) / T


def _stored_wins(t: torch.Tensor, stored: List[torch.Tensor]):
    """``t`` with the stored groups raised by ulps so that they win every
    tie: the first group by ``len(stored)`` ulps, the next by one less."""
    for j, mask in enumerate(stored):
        for _ in range(len(stored) - j):
            t = torch.where(mask, torch.nextafter(t, t.new_tensor(np.inf)),
                            t)
    return t


def run_ours(entry, route, z):
    """(loss, grad, parts, which partition was used)."""
    s = torch.from_numpy(z['student']).requires_grad_()
    t = torch.from_numpy(z['teacher'])
    y = torch.from_numpy(z['target']).long()
    partitions = _partitions(entry, route, z, _scaled(entry, t))
    if partitions is None or all(
            torch.equal(o, m) for o, m in zip(*partitions)):
        loss, parts = _call_loss(entry, route, s, t, y)
        used = 'ours'
    else:
        stored, used = partitions[1], 'stored'
        t = _stored_wins(t, stored)
        ours = _partitions(entry, route, z, _scaled(entry, t))[0]
        for o, m in zip(ours, stored):  # our top-k takes the stored groups
            assert torch.equal(o, m), 'partition'
        loss, parts = _call_loss(entry, route, s, t, y)
    loss.backward()
    return loss.detach(), s.grad, {k: v.detach()
                                   for k, v in parts.items()}, used


def _tolerances(z, T) -> Dict[str, float]:
    if z['student'].dtype == np.float64:
        return dict(loss=1e-10, grad=1e-12, comp_atol=1e-12 * T**2)
    # float32 sub-terms: an O(1) KL rounded in float32 carries an
    # absolute error of a few 1e-7 before the T^2 scaling
    return dict(loss=1e-5, grad=1e-6, comp_atol=1e-6 * T**2)


@pytest.mark.parametrize('entry,route', _params())
def test_vector(entry, route, naive):
    assert (VECTORS / entry['file']).is_file(), f'{entry["file"]} missing'
    z = np.load(VECTORS / entry['file'])
    T = _settings(entry)[0]
    tol = _tolerances(z, T)
    loss, grad, parts, used = run_ours(entry, route, z)
    assert torch.isfinite(loss) and torch.isfinite(grad).all()

    upstream_exact = (entry['case_kind'] in UPSTREAM_EXACT_KINDS
                      and entry['loss_finite'] and entry['grad_finite'])
    if not upstream_exact:
        _check_against_exact(entry, route, z, loss, naive)
        return

    np.testing.assert_allclose(loss.numpy(), z['loss'], rtol=tol['loss'],
                               atol=0, err_msg=f'loss ({used} partition)')
    g_ref = z['grad_student']
    np.testing.assert_allclose(
        grad.numpy(), g_ref, rtol=0, atol=tol['grad'] * np.abs(g_ref).max(),
        err_msg=f'gradient ({used} partition)')
    for key in z.files:
        if not key.startswith('comp_'):
            continue
        name = key[len('comp_'):]
        name = name[:-len('_loss')] if name.endswith('_loss') else name
        if name in NOT_LOSS_TERMS:
            continue
        assert name in parts, f'no part {name!r} in {sorted(parts)}'
        np.testing.assert_allclose(
            parts[name].numpy(), z[key], rtol=tol['loss'],
            atol=tol['comp_atol'], err_msg=f'{name} ({used} partition)')


def _check_against_exact(entry, route, z, loss, naive):
    """Extreme inputs (not in the shared set): upstream may be inf, NaN or
    leaked there, so our value is compared with the exact reference."""
    family = {'KD': 'kd', 'DKD': 'dkd', 'GDKD': 'gdkd', 'GDKD3': 'gdkd3'}
    T, ls, ignore_index = _settings(entry)
    hp = dict(entry['hyperparams'], temperature=T)
    name = family[entry['family']]
    s, t = torch.from_numpy(z['student']), torch.from_numpy(z['teacher'])
    y = torch.from_numpy(z['target']).long()
    if route is not None:  # DKD-top1: the teacher's argmax is the label
        y = t.argmax(1)
    ref = naive.loss_map(name, s, t, y, hp, ls, ignore_index, exact=True)
    valid = np.ones(ref['total'].shape, bool) if (
        y is None or ignore_index is None) else (y != ignore_index).numpy()
    expected = ref['total'].sum() / max(valid.sum(), 1)
    # rounding of the scaled logits (size |a|) enters every log-sum-exp:
    # a few eps * |a| per KL (see the extreme-logit tests), times T^2
    a, b = _scaled(entry, s), _scaled(entry, t)
    atol = 16 * torch.finfo(s.dtype).eps * float(
        a.abs().max() + b.abs().max()) * T**2
    np.testing.assert_allclose(loss.double().numpy(), expected, rtol=1e-5,
                               atol=atol)


def _std_params():
    return [
        p for p in _params()
        if 'std_student' in p.values[0].get('arrays', [])
    ]


@pytest.mark.parametrize('entry,route', _std_params())
def test_standardized_logits(entry, route):
    """The vectors' Z-scored logits (``std_*``) equal ours."""
    assert (VECTORS / entry['file']).is_file(), f'{entry["file"]} missing'
    z = np.load(VECTORS / entry['file'])
    for which in ('student', 'teacher'):
        ref = z[f'std_{which}']
        ours = logit_standardize(torch.from_numpy(z[which])).numpy()
        scale = 1e-12 if ref.dtype == np.float64 else 1e-6
        np.testing.assert_allclose(ours, ref, rtol=0,
                                   atol=scale * np.abs(ref).max())
