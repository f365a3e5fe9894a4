"""Shared maths of the logit-distillation losses.

Every loss here is a forward KL(teacher || student) between distributions
that are partitions of ``softmax(z / T)`` over the class axis ``dim=1``.
Logits are ``(N, C)`` or ``(N, C, H, W)``; labels are ``(N,)`` or
``(N, H, W)``. Group masses and conditionals are computed with log-sum-exp
over each group (never with a ``-1000`` mask or a log of summed
probabilities), so the result is finite and exact for any logits of
magnitude below ~1e37 (-finfo.max serves as a finite mask value).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

_EPS_STD = 1e-7


class _Standardize(torch.autograd.Function):
    """Z-score over dim 1, divided by ``temperature``, with the backward
    written out (four passes over the map instead of about ten)::

        z = c / D,  c = x - mean(x),  D = (std(x) + 1e-7) T
        dL/dx = (g - mean(g)) / D - c T sum(g c) / (D^2 (C - 1) std)
    """

    @staticmethod
    def forward(ctx, x: Tensor, temperature: float) -> Tensor:
        num_classes = x.shape[1]
        centred = x - x.sum(dim=1, keepdim=True) / num_classes
        var = (centred * centred).sum(dim=1, keepdim=True)
        var /= num_classes - 1  # unbiased
        # below `tiny` (a constant row, e.g. a zeroed ignored pixel) the
        # value is unchanged next to the 1e-7 and the slope of the std is
        # taken as 0, where sqrt's infinite slope would give NaN
        tiny = torch.finfo(x.dtype).tiny
        std = var.clamp_min(tiny).sqrt()  # (N, 1, ...)
        scale = (std + _EPS_STD) * temperature
        ctx.temperature = temperature
        ctx.save_for_backward(centred, std, scale, var >= tiny)
        return centred / scale

    @staticmethod
    def backward(ctx, grad: Tensor):
        centred, std, scale, sloped = ctx.saved_tensors
        num_classes = grad.shape[1]
        grad_mean = grad.sum(dim=1, keepdim=True) / num_classes
        grad_dot = (grad * centred).sum(dim=1, keepdim=True)
        coef = grad_dot * ctx.temperature / (
            scale * scale * (num_classes - 1) * std) * sloped
        grad_x = (grad - grad_mean).div_(scale)
        return grad_x.addcmul_(centred, coef, value=-1), None


def _standardize(logits: Tensor, temperature: float = 1.0) -> Tensor:
    """Z-score over dim 1 and divide by ``temperature``.

    The mean and the unbiased variance are plain sums over the class axis:
    ``Tensor.std(dim=1)`` is several times slower on ``(N, C, H, W)`` maps
    (its Welford reduction does not vectorise over the pixels).
    """
    return _Standardize.apply(logits, temperature)


def logit_standardize(logits: Tensor) -> Tensor:
    """Z-score the logits per row / pixel over the class axis (dim 1).

    Uses the unbiased std with ``1e-7`` added to the std, as Sun et al.
    (CVPR 2024); gradients flow through the mean and the std.

    Args:
        logits: ``(N, C, ...)`` logits.

    Returns:
        Tensor of the same shape.
    """
    return _standardize(logits)


def check_inputs(student: Tensor, teacher: Tensor,
                 temperature: float) -> None:
    """Raise a clear ``ValueError`` for logits the losses cannot take."""
    if student.shape != teacher.shape:
        raise ValueError(
            'student and teacher logits must have the same shape, got '
            f'{tuple(student.shape)} and {tuple(teacher.shape)}')
    if student.dim() not in (2, 4):
        raise ValueError('logits must be (N, C) or (N, C, H, W), got '
                         f'{tuple(student.shape)}')
    if student.shape[1] < 2:
        raise ValueError('distillation needs at least 2 classes, got '
                         f'C={student.shape[1]}')
    if not temperature > 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')


def check_weights(**weights: float) -> None:
    """Raise ``ValueError`` for a negative loss weight."""
    for name, value in weights.items():
        if value < 0:
            raise ValueError(f'{name} must be >= 0, got {value}')


def resize_target(target: Tensor, size: Sequence[int]) -> Tensor:
    """Bring labels to the logits' spatial size by nearest downsampling.

    Legacy nearest interpolation by an integer factor ``s`` reads input
    pixel ``i * s``: the top-left pixel of each ``s x s`` block, which is
    what ``F.interpolate(mode='nearest')`` does in the reference code.

    Args:
        target: ``(N,)`` or ``(N, H, W)`` integer labels.
        size: the logits' spatial size ``(h, w)`` (empty for ``(N, C)``).

    Returns:
        Labels of shape ``(N, *size)``.
    """
    size = tuple(size)
    if tuple(target.shape[1:]) == size:
        return target
    if target.dim() != 3 or len(size) != 2:
        raise ValueError(f'target of shape {tuple(target.shape)} does not '
                         f'match logits of spatial size {size}')
    (H, W), (h, w) = target.shape[1:], size
    if H % h or W % w:
        raise ValueError(
            f'target size {(H, W)} is not an integer multiple of the '
            f'logits size {(h, w)}; resize the labels first')
    return target[:, ::H // h, ::W // w]  # (N, h, w)


def valid_mask(student: Tensor, target: Optional[Tensor],
               ignore_index: Optional[int]) -> Tuple[Optional[Tensor],
                                                     Optional[Tensor]]:
    """Labels at the logits' resolution and the mask of valid pixels.

    Returns:
        ``(target, valid)``; ``valid`` is ``None`` when every pixel counts.
    """
    if target is None:
        return None, None
    target = resize_target(target, student.shape[2:])
    if ignore_index is None:
        return target, None
    return target, target != ignore_index


class _ZeroInvalid(torch.autograd.Function):
    """``x`` with the ignored pixels set to 0, whatever they held.

    Valid pixels are left as they are: a NaN/inf there must surface in the
    loss (the distiller stops on it), not be silently zeroed. The backward
    is one multiply by the 0 / 1 mask.
    """

    @staticmethod
    def forward(ctx, x: Tensor, keep: Tensor) -> Tensor:
        ctx.save_for_backward(keep)
        return x.masked_fill(keep == 0, 0.)

    @staticmethod
    def backward(ctx, grad: Tensor):
        keep, = ctx.saved_tensors
        return grad * keep, None


def clean_invalid(logits: Tensor,
                  valid: Optional[Tensor],
                  distinct: bool = False) -> Tensor:
    """Zero the logits of ignored pixels so garbage there (inf, NaN) can
    reach neither the loss nor the gradient.

    With ``distinct`` (the teacher, no grad) an ignored pixel gets the
    logits ``0, 1, .., C - 1`` instead: no ties, so its top-k is cheap.
    """
    if valid is None:
        return logits
    keep = valid.unsqueeze(1).to(logits.dtype)  # (N, 1, ...)
    if logits.requires_grad:
        return _ZeroInvalid.apply(logits, keep)
    out = logits.masked_fill(keep == 0, 0.)
    if distinct:
        ramp = torch.arange(logits.shape[1], dtype=logits.dtype,
                            device=logits.device)
        out.addcmul_(1 - keep, ramp.view((-1, ) + (1, ) * (out.dim() - 2)))
    return out


def reduce_map(loss_map: Tensor, valid: Optional[Tensor],
               reduction: str) -> Tensor:
    """Mean over the valid rows / pixels of the whole batch.

    An all-ignored batch gives 0 (with zero gradient), not NaN.
    """
    if valid is not None:
        loss_map = loss_map.masked_fill(~valid, 0.)
    if reduction == 'none':
        return loss_map
    if reduction == 'sum':
        return loss_map.sum()
    if reduction != 'mean':
        raise ValueError(f'reduction must be none, mean or sum, got '
                         f'{reduction!r}')
    count = loss_map.numel() if valid is None else valid.sum().clamp(min=1)
    return loss_map.sum() / count


def logsumexp(x: Tensor) -> Tensor:
    """``log sum_i exp(x_i)`` over dim 1 (kept); ``-inf`` entries add 0.

    Shifting by the detached maximum is exact, and autograd's backward is a
    single multiply by the saved exponentials, where ``torch.logsumexp``
    recomputes them (two more passes over the tensor).
    """
    shift = x.detach().amax(dim=1, keepdim=True)  # (N, 1, ...)
    return shift + (x - shift).exp().sum(dim=1, keepdim=True).log()


@torch.no_grad()
def softmax_lse(x: Tensor) -> Tuple[Tensor, Tensor]:
    """``(softmax(x), logsumexp(x))`` over dim 1 (kept), without grad.

    ``-inf`` entries get probability 0; one exponential serves both.
    """
    shift = x.amax(dim=1, keepdim=True)  # (N, 1, ...)
    probs = (x - shift).exp_()  # (N, C, ...)
    total = probs.sum(dim=1, keepdim=True)
    return probs.div_(total), shift + total.log()


def _group_max(x: Tensor, masks: List[Tensor],
               log_masks: List[Optional[Tensor]], work: Tensor) -> Tensor:
    """``(N, G, ...)`` maxima of ``x`` over each group.

    A group with an additive mask (0 in, ``-finfo.max`` out) takes the
    maximum of ``x`` plus the mask; a one-class group (``None``) has its
    one logit, read as the dot product with its 0 / 1 mask. ``work`` is
    an ``(N, C, ...)`` scratch buffer (fresh maps cost page faults).
    """
    return torch.cat([
        torch.mul(x, mask, out=work).sum(dim=1, keepdim=True)
        if log_mask is None else torch.add(x, log_mask, out=work).amax(
            dim=1, keepdim=True) for mask, log_mask in zip(masks, log_masks)
    ], dim=1)


def _split_exp(x: Tensor, masks: List[Tensor], one_class: List[bool],
               shifts: Tensor) -> Tuple[List[Tensor], Tensor]:
    """``exp(x - max_U x)`` of every group ``U`` and their sums.

    Each class is shifted by the maximum of its own group, so one
    exponential serves all groups, nothing in it overflows, and each
    group's sum is at least 1: no log-sum-exp of a group can underflow,
    however far the group lies below the other classes.

    Args:
        x: ``(N, C, ...)`` logits.
        masks: 0 / 1 masks of the ``G`` groups (the rest included).
        one_class: which groups hold a single class (their exponential
            is exactly 1, i.e. the mask itself).
        shifts: ``(N, G, ...)`` maxima of ``x`` over the groups.

    Returns:
        ``(exps, sums)``: per group ``exp(x - max_U x)`` on ``U``, 0
        elsewhere ``(N, C, ...)``; the ``(N, G, ...)`` sums.
    """
    # x - shift of the own group; a 0 / 1 mask times a shift is exact, so
    # every class gets exactly one rounding, as in x - max_U x
    e = torch.addcmul(x, masks[0], shifts[:, :1], value=-1)
    for j in range(1, len(masks)):
        e.addcmul_(masks[j], shifts[:, j:j + 1], value=-1)
    e = e.exp_()
    exps = [mask if single else e * mask
            for mask, single in zip(masks[:-1], one_class)]
    exps.append(e.mul_(masks[-1]))
    sums = torch.cat([
        torch.ones_like(shifts[:, :1]) if single else part.sum(
            dim=1, keepdim=True) for part, single in zip(exps, one_class)
    ], dim=1)
    return exps, sums


class _PartitionKL(torch.autograd.Function):
    """Per-pixel KL terms of a partition ``U_1..U_G`` of the classes.

    ``forward(a, b, masks, one_class, work, shift_a, shift_b)`` takes the
    scaled logits, the groups' 0 / 1 masks, which groups hold a single
    class, a scratch map and the maxima of ``a`` and ``b`` over each
    group; it returns the ``(N, 1 + G, ...)`` maps ``[high, low_1, ..,
    low_G]``. The backward is written out, two fused passes per group over
    the ``(N, C, ...)`` maps where autograd would record several per
    operation::

        d high  / d a_i = (P_U - Q_U) p|U_i       (i in U)
        d low_U / d a_i = p|U_i - q|U_i           (0 for a single class)
    """

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor, masks: List[Tensor],
                one_class: List[bool], work: Tensor, shift_a: Tensor,
                shift_b: Tensor) -> Tensor:
        exps, sums_a = _split_exp(a, masks, one_class, shift_a)
        exps_b, sums_b = _split_exp(b, masks, one_class, shift_b)
        lse_a, lse_b = shift_a + sums_a.log(), shift_b + sums_b.log()
        diff = a - b  # (N, C, ...)
        lows, conds = [], []
        for j, single in enumerate(one_class):
            if single:  # p|U = q|U = 1 on the one class: no inner term
                lows.append(torch.zeros_like(lse_a[:, :1]))
                conds.append(None)
                continue
            # KL(q|U || p|U) = sum_U q|U (b - a) - (lse_U(b) - lse_U(a)),
            # with q|U = exps_b[j] / sums_b[j]
            cross = torch.mul(exps_b[j], diff, out=work)
            cross = cross.sum(dim=1, keepdim=True)
            lows.append((lse_a[:, j:j + 1] - lse_b[:, j:j + 1]) -
                        cross / sums_b[:, j:j + 1])
            conds.append(exps_b[j])
        # log group masses: lse over U minus lse over all classes
        log_p = lse_a - lse_a.logsumexp(dim=1, keepdim=True)  # (N, G, ...)
        log_q = lse_b - lse_b.logsumexp(dim=1, keepdim=True)
        mass_q = log_q.exp()
        high = (mass_q * (log_q - log_p)).sum(dim=1, keepdim=True)
        ctx.save_for_backward(sums_a, sums_b, log_p.exp() - mass_q, *exps,
                              *conds)
        return torch.cat([high] + lows, dim=1)

    @staticmethod
    def backward(ctx, grad: Tensor):
        sums_a, sums_b, mass_diff, *maps = ctx.saved_tensors
        exps, conds = maps[:len(maps) // 2], maps[len(maps) // 2:]
        grad_high, grad_low = grad[:, :1], grad[:, 1:]  # (N, 1 | G, ...)
        # p|U = exps[j] / sums_a[j] and q|U = conds[j] / sums_b[j]: the
        # divisions go into the per-pixel coefficients
        coef_p = (grad_low + grad_high * mass_diff) / sums_a  # (N, G, ...)
        coef_q = -grad_low / sums_b
        grad_a = None
        for j, (e, q) in enumerate(zip(exps, conds)):
            c_p = coef_p[:, j:j + 1]
            if q is None:  # one class: no low term (p|U = 1)
                c_p = grad_high * mass_diff[:, j:j + 1] / sums_a[:, j:j + 1]
            if grad_a is None:
                grad_a = e * c_p
            else:
                grad_a.addcmul_(e, c_p)
            if q is not None:
                grad_a.addcmul_(q, coef_q[:, j:j + 1])
        return grad_a, None, None, None, None, None, None


def partitioned_kl_masks(a: Tensor,
                         b: Tensor,
                         masks: List[Tensor],
                         sizes: Sequence[int],
                         w_high: float,
                         w_low: Sequence[float],
                         w_rest: float,
                         teacher_max: Optional[Tensor] = None
                         ) -> Dict[str, Tensor]:
    """:func:`partitioned_kl` with the groups given as 0 / 1 masks.

    Args:
        masks: disjoint ``(N, C, ...)`` masks of ``a``'s dtype; every row /
            pixel must keep at least one class outside all of them.
        sizes: the number of classes each mask holds per row / pixel.
        teacher_max: the ``(N, g + 1, ...)`` maxima of ``b`` over the
            groups and the rest, when the caller has them (saves passes).
    """
    b = b.detach()
    one_class = [size == 1 for size in sizes]
    one_class.append(a.shape[1] - sum(sizes) == 1)
    member = masks[0]
    for mask in masks[1:]:
        member = member + mask
    # additive masks for the maxima of groups of 2+ classes: -finfo.max
    # (finite, so that mask arithmetic never makes a NaN) puts a class
    # below any logit
    big = torch.finfo(a.dtype).max
    rest_log_mask = None if one_class[-1] else member * -big
    log_masks = []
    for mask, single in zip(masks, one_class):
        if single:
            log_masks.append(None)
        elif len(masks) == 1 and rest_log_mask is not None:
            log_masks.append(-big - rest_log_mask)  # saves a pass
        else:
            log_masks.append((mask - 1).mul_(big))
    log_masks.append(rest_log_mask)
    masks = list(masks) + [1 - member]  # the rest R last
    with torch.no_grad():
        work = torch.empty_like(b)  # scratch for the passes below
        shift_a = _group_max(a, masks, log_masks, work)
        shift_b = (_group_max(b, masks, log_masks, work)
                   if teacher_max is None else teacher_max)
    terms = _PartitionKL.apply(a, b, masks, one_class, work, shift_a,
                               shift_b)
    out = {f'low{j}': terms[:, 1 + j] for j in range(len(sizes))}
    out.update(high=terms[:, 0], rest=terms[:, -1])
    total = w_high * out['high'] + w_rest * out['rest']
    for j, w in enumerate(w_low):
        total = total + w * out[f'low{j}']
    out['total'] = total
    return out


def partitioned_kl(a: Tensor, b: Tensor, groups: List[Tensor],
                   w_high: float, w_low: Sequence[float],
                   w_rest: float) -> Dict[str, Tensor]:
    """KL terms of a partition of the classes into index groups + the rest.

    With ``p = softmax(a)`` (student) and ``q = softmax(b)`` (teacher)
    over dim 1, the groups ``U_1..U_g`` (given by class indices) and
    ``R`` (every other class), returns the per-pixel maps::

        high  = KL(mass_q || mass_p)          over the g + 1 group masses
        low_j = KL(q | U_j  ||  p | U_j)      conditionals inside U_j
        rest  = KL(q | R    ||  p | R)

    computed from ``log m_U = lse_U - lse`` and
    ``KL(q|U || p|U) = sum_U q|U (b - a) - (lse_U(b) - lse_U(a))``, each
    log-sum-exp shifted by its own group's maximum, so the terms are
    finite and exact for any logits of magnitude below ~1e37; ``total``
    is ``w_high * high + sum_j w_low[j] * low_j + w_rest * rest``.
    A one-class group gives exactly 0 (value and gradient).

    Args:
        a: ``(N, C, ...)`` temperature-scaled student logits.
        b: ``(N, C, ...)`` temperature-scaled teacher logits (no grad).
        groups: disjoint ``(N, k_j, ...)`` class indices, no index twice
            in a row / pixel; ``R`` must not be empty.
        w_high, w_low, w_rest: weights of the terms in ``total``.

    Returns:
        Dict with ``high``, ``low0``.., ``rest`` and ``total`` maps of
        shape ``(N, ...)``.
    """
    num_grouped = sum(index.shape[1] for index in groups)
    if num_grouped >= a.shape[1]:
        raise ValueError(f'{num_grouped} grouped classes leave no rest '
                         f'among C={a.shape[1]}')
    masks = [torch.zeros_like(a).scatter_(1, index, 1.) for index in groups]
    sizes = [index.shape[1] for index in groups]
    return partitioned_kl_masks(a, b, masks, sizes, w_high, w_low, w_rest)


def _largest(x: Tensor, k: int) -> Tensor:
    """The k largest values over dim 1, in decreasing order, with repeats.

    For a short class axis, inserting the classes one by one into a
    sorted list is several times faster than ``torch.topk``, whose per-row
    sort dominates on ``(N, C, H, W)`` maps. One insertion is two
    elementwise ops over all k levels: the new j-th largest is
    ``max(top_j, min(top_(j-1), value))`` with ``top_0 = +inf``.

    Returns:
        ``(N, k, ...)`` values.
    """
    if x.shape[1] > 32:
        return x.topk(k, dim=1).values
    slices = x.unbind(dim=1)  # C x (N, ...)
    top = x.new_full((k + 1, ) + slices[0].shape, float('-inf'))
    top[0] = float('inf')  # sentinel above every value
    above = torch.empty_like(top[1:])  # (k, N, ...)
    for value in slices:
        torch.minimum(top[:-1], value, out=above)
        torch.maximum(top[1:], above, out=top[1:])
    return top[1:].movedim(0, 1)


@torch.no_grad()
def top_masks(b: Tensor, k: int,
              split_top1: bool = False) -> Tuple[List[Tensor], Tensor]:
    """0 / 1 masks of the teacher's top-k classes per row / pixel.

    The classes at or above the k-th largest value form the top-k unless
    values tie across its boundary (or, with ``split_top1``, at the top);
    at those rows / pixels, and only there, ``torch.topk`` picks, as in
    the reference code, so the partition is always the one ``topk`` gives.

    Args:
        b: ``(N, C, ...)`` teacher logits.
        k: size of the top group (``< C``).
        split_top1: split the top-k into the top-1 and ranks 2..k.

    Returns:
        ``(masks, maxima)``: ``[top-k]`` or ``[top-1, ranks 2..k]`` as
        ``(N, C, ...)`` masks of ``b``'s dtype, and the ``(N, g + 1, ...)``
        maxima of ``b`` over these groups and the rest, which are the
        1st (and 2nd) and the (k + 1)-th largest values whatever the ties.
    """
    values = _largest(b, k + 1)  # (N, k + 1, ...)
    top = (b >= values[:, k - 1:k]).to(b.dtype)  # (N, C, ...)
    masks, maxima = [top], values[:, [0, k]]
    tied = top.sum(dim=1) != k  # (N, ...)
    if split_top1:
        first = (b >= values[:, :1]).to(b.dtype)
        masks, maxima = [first, top - first], values[:, [0, 1, k]]
        tied |= first.sum(dim=1) != 1
    if tied.any():
        rows = b.movedim(1, -1)[tied]  # (n_tied, C)
        index = rows.topk(k, dim=1, sorted=split_top1).indices
        parts = index.split([1, k - 1], dim=1) if split_top1 else [index]
        for mask, part in zip(masks, parts):
            mask.movedim(1, -1)[tied] = torch.zeros_like(rows).scatter_(
                1, part, 1.)
    return masks, maxima


def prepare_logits(student: Tensor, teacher: Tensor,
                   target: Optional[Tensor], temperature: float,
                   logit_stand: bool, ignore_index: Optional[int]
                   ) -> Tuple[Tensor, Tensor, Optional[Tensor],
                              Optional[Tensor]]:
    """Validate, mask, standardise and temperature-scale both logits.

    Returns:
        ``(a, b, target, valid)``: scaled student logits (with grad),
        scaled teacher logits (detached), labels at the logits'
        resolution (or ``None``) and the valid-pixel mask (or ``None``).
    """
    check_inputs(student, teacher, temperature)
    target, valid = valid_mask(student, target, ignore_index)
    # the teacher never receives gradient
    student = clean_invalid(student, valid)
    teacher = clean_invalid(teacher.detach(), valid, distinct=True)
    if logit_stand:
        return (_standardize(student, temperature),
                _standardize(teacher, temperature), target, valid)
    if temperature != 1:  # skip a pass over both maps at T = 1
        student, teacher = student / temperature, teacher / temperature
    return student, teacher, target, valid


def finish(total: Tensor, parts: Dict[str, Tensor], valid: Optional[Tensor],
           temperature: float, reduction: str, return_parts: bool):
    """Scale by ``T^2`` and reduce the loss map (and its parts)."""
    scale = temperature**2
    loss = reduce_map(total * scale, valid, reduction)
    if not return_parts:
        return loss
    return loss, {
        name: reduce_map(part * scale, valid, reduction)
        for name, part in parts.items()
    }
