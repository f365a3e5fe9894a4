"""KL terms of a partition of the classes: the kernel of DKD, GDKD, GDKD3.

With ``p = softmax(a)`` (student), ``q = softmax(b)`` (teacher) over dim 1
and a partition ``U_1..U_G`` of the classes, the per-pixel terms are::

    high  = KL(mass_q || mass_p)        over the G group masses
    low_U = KL(q | U  ||  p | U)        conditionals inside U

from ``log m_U = lse_U - lse`` and ``low_U = sum_U q|U (b - a) -
(lse_U(b) - lse_U(a))``. The fast kernel shifts every class by its row's
maximum (one exponential per map). A row where some group's sum falls
below ``tiny / eps`` (~1e-31 in float32: a group more than ~70 nats
below the maximum) would lose digits to subnormals, so those rows, and
only those, are recomputed by the exact path (plain autograd in
float64), which shifts each group by its own maximum (every group's sum
is then at least 1). The fast kernel's backward gives the student's
gradient only; when the teacher's logits require a gradient (a learned
temperature, ``b = t / T``), every row takes the exact path.
"""
from typing import List, NamedTuple, Optional, Sequence, Tuple

import torch
from torch import Tensor


class _SharedShiftKL(torch.autograd.Function):
    """Fast kernel: ``forward(a, b, masks, one_class, shift_b, skip)``.

    ``masks`` are the 0 / 1 masks of the G groups (the rest last),
    ``one_class`` says which hold a single class (no inner term),
    ``shift_b`` is the ``(N, 1, ...)`` maximum of ``b``, ``skip`` the
    ``(N, ...)`` pixels to leave at 0 (ignored; or ``None``). Returns the
    ``(N, 1 + G, ...)`` maps ``[high, low_1, .., low_G]`` and the
    ``(N, ...)`` rows that need the exact kernel (left at 0 here). With
    ``e = exp(a - max a)`` and ``S_U = sum_U e`` the backward is two
    fused passes per group::

        d high  / d a_i = (P_U - Q_U) e_i / S_U          (i in U)
        d low_U / d a_i = e_i / S_U - e^b_i / S^b_U
    """

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor, masks: List[Tensor],
                one_class: List[bool], shift_b: Tensor,
                skip: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        shift_a = a.amax(dim=1, keepdim=True)  # (N, 1, ...)
        e_a = torch.sub(a, shift_a).exp_()  # (N, C, ...), in [0, 1]
        e_b = torch.sub(b, shift_b).exp_()
        diff = torch.sub(b, a)
        work = torch.empty_like(diff)
        parts_a, parts_b, sums_a, sums_b, lows = [], [], [], [], []
        last = len(masks) - 1
        for j, (mask, single) in enumerate(zip(masks, one_class)):
            # the last group may overwrite the maps: nothing else reads them
            part_a = e_a.mul_(mask) if j == last else e_a * mask
            part_b = e_b.mul_(mask) if j == last else e_b * mask
            parts_a.append(part_a)
            sums_a.append(part_a.sum(dim=1, keepdim=True))
            sums_b.append(part_b.sum(dim=1, keepdim=True))
            if single:  # p|U = q|U = 1: no inner term
                lows.append(torch.zeros_like(shift_a))
                continue
            parts_b.append(part_b)
            cross = (diff.mul_(part_b) if j == last else torch.mul(
                part_b, diff, out=work)).sum(dim=1, keepdim=True)
            lows.append(cross / sums_b[-1])
        sums_a = torch.cat(sums_a, dim=1)  # (N, G, ...)
        sums_b = torch.cat(sums_b, dim=1)
        log_a, log_b = sums_a.log(), sums_b.log()
        # low_U = sum_U q|U (b - a) + lse_U(a) - lse_U(b)
        lows = torch.cat(lows, dim=1).add_(
            torch.sub(log_a, log_b).add_(shift_a - shift_b).mul_(
                _low_on(one_class, a)))
        total_a = sums_a.sum(dim=1, keepdim=True)
        total_b = sums_b.sum(dim=1, keepdim=True)
        log_q = log_b - total_b.log()  # log group masses
        high = (log_q.exp() * (log_q - log_a + total_a.log())).sum(
            dim=1, keepdim=True)
        # NaN (a non-finite valid pixel) goes to the exact kernel too
        bad = ~(torch.minimum(sums_a, sums_b).amin(dim=1) >= _TINY[a.dtype])
        zero = bad if skip is None else bad | skip
        if skip is not None:
            bad &= ~skip
        zero = zero.unsqueeze(1)  # (N, 1, ...)
        terms = torch.cat([high, lows], dim=1).masked_fill_(zero, 0.)
        ctx.one_class = one_class
        ctx.save_for_backward(sums_a, sums_b, total_a, total_b, zero,
                              *parts_a, *parts_b)
        ctx.mark_non_differentiable(bad)
        return terms, bad

    @staticmethod
    def backward(ctx, grad: Tensor, _):
        sums_a, sums_b, total_a, total_b, zero, *maps = ctx.saved_tensors
        num_groups = sums_a.shape[1]
        parts_a, parts_b = maps[:num_groups], maps[num_groups:]
        grad_high = grad[:, :1]  # (N, 1, ...)
        grad_low = grad[:, 1:] * _low_on(ctx.one_class, grad)  # (N, G, ..)
        mass_diff = sums_a / total_a - sums_b / total_b
        coef_a = (grad_high * mass_diff + grad_low).div_(sums_a)
        coef_b = grad_low.div_(sums_b)
        # 0 * inf at skipped rows (empty groups) must not reach the maps
        coef_a.masked_fill_(zero, 0.)
        coef_b.masked_fill_(zero, 0.)
        grad_a = parts_a[0] * coef_a[:, :1]
        for j in range(1, num_groups):
            grad_a.addcmul_(parts_a[j], coef_a[:, j:j + 1])
        inner = [j for j, single in enumerate(ctx.one_class) if not single]
        for j, part_b in zip(inner, parts_b):
            grad_a.addcmul_(part_b, coef_b[:, j:j + 1], value=-1)
        return grad_a, None, None, None, None, None


_TINY = {
    dtype: torch.finfo(dtype).tiny / torch.finfo(dtype).eps
    for dtype in (torch.float16, torch.bfloat16, torch.float32,
                  torch.float64)
}


def _low_on(one_class: List[bool], like: Tensor) -> Tensor:
    """``(1, G, 1, ..)`` 1 for groups with an inner term, 0 otherwise."""
    shape = (1, len(one_class)) + (1, ) * (like.dim() - 2)
    return torch.tensor([0. if s else 1. for s in one_class],
                        dtype=like.dtype, device=like.device).view(shape)


def _exact_terms(a: Tensor, b: Tensor, masks: List[Tensor],
                 one_class: List[bool]) -> Tensor:
    """The ``(n, 1 + G)`` terms of ``(n, C)`` rows by plain autograd.

    Each group is shifted by its own maximum, so every group's sum of
    ``exp`` is at least 1: no group can underflow, however far below the
    others it lies. Rows come here when the fast kernel flags them (few)
    or when the teacher side needs a gradient (a learned temperature);
    either way they are computed in float64.
    """
    inside = [mask > 0 for mask in masks]
    dtype, a, b = a.dtype, a.double(), b.double()

    def group_exp(x: Tensor) -> Tuple[List[Tensor], Tensor, Tensor]:
        exps, shifts = [], []
        for m in inside:
            shift = x.detach().masked_fill(~m, float('-inf')).amax(
                dim=1, keepdim=True)  # (n, 1)
            exps.append((x - shift).masked_fill(~m, float('-inf')).exp())
            shifts.append(shift)
        sums = torch.stack([e.sum(dim=1) for e in exps], dim=1)  # (n, G)
        return exps, sums, torch.cat(shifts, dim=1) + sums.log()

    exps_b, sums_b, lse_b = group_exp(b)
    _, _, lse_a = group_exp(a)
    log_p = lse_a - lse_a.logsumexp(dim=1, keepdim=True)  # group masses
    log_q = lse_b - lse_b.logsumexp(dim=1, keepdim=True)
    terms = [(log_q.exp() * (log_q - log_p)).sum(dim=1)]
    diff = a - b
    for j, single in enumerate(one_class):
        if single:  # p|U = q|U = 1: no inner term
            terms.append(torch.zeros_like(terms[0]))
            continue
        # KL(q|U || p|U) = sum_U q|U (b - a) - (lse_U(b) - lse_U(a))
        cross = (exps_b[j] * diff).sum(dim=1) / sums_b[:, j]
        terms.append((lse_a[:, j] - lse_b[:, j]) - cross)
    return torch.stack(terms, dim=1).to(dtype)


class PartitionKL(NamedTuple):
    """The per-pixel ``(N, ...)`` KL terms of a partition of the classes."""
    high: Tensor  # KL of the group masses (the given groups + the rest)
    inner: Tuple[Tensor, ...]  # KL inside each given group (0: one class)
    rest: Tensor  # KL inside the classes of no given group


def partition_kl(student: Tensor,
                 teacher: Tensor,
                 *,
                 groups: Sequence[Tensor],
                 group_sizes: Sequence[int],
                 teacher_max: Optional[Tensor] = None,
                 valid: Optional[Tensor] = None) -> PartitionKL:
    """KL terms of ``q = softmax(teacher)`` against ``p = softmax(student)``
    over a partition of the classes (dim 1)::

        high    = KL(q's group masses || p's group masses)
        inner_j = KL(q | U_j || p | U_j)      (conditionals inside U_j)
        rest    = KL(q | R   || p | R)        (R: the classes left over)

    Args:
        student: ``(N, C, ...)`` temperature-scaled student logits.
        teacher: ``(N, C, ...)`` temperature-scaled teacher logits; they
            get a gradient only if they require one (a learned T).
        groups: disjoint 0 / 1 masks ``(N, C, ...)`` of ``student``'s
            dtype, one per group ``U_j``; every valid row / pixel must
            keep a class outside all of them.
        group_sizes: the number of classes each mask holds per row.
        teacher_max: the ``(N, 1, ...)`` maximum of ``teacher`` over the
            classes, when the caller has it (saves a pass).
        valid: ``(N, ...)`` bool, the rows / pixels whose terms count;
            the others get 0 (value and gradient) whatever they hold.
    """
    one_class = [size == 1 for size in group_sizes]
    one_class.append(student.shape[1] - sum(group_sizes) == 1)
    member = groups[0]
    for mask in groups[1:]:
        member = member + mask
    masks = list(groups) + [1 - member]  # the rest last
    if teacher.requires_grad:
        # only the exact path differentiates the teacher side (a learned
        # temperature): every counted row takes it
        terms = student.new_zeros((student.shape[0], len(masks) + 1) +
                                  student.shape[2:])  # (N, 1 + G, ...)
        rows = torch.ones_like(member[:, 0], dtype=torch.bool) if (
            valid is None) else valid
        terms = _exact_rows(terms, rows, student, teacher, masks, one_class)
    else:
        if teacher_max is None:
            teacher_max = teacher.amax(dim=1, keepdim=True)
        skip = None if valid is None else ~valid
        terms, bad = _SharedShiftKL.apply(student, teacher, masks,
                                          one_class, teacher_max, skip)
        if bad.any():
            terms = _exact_rows(terms, bad, student, teacher, masks,
                                one_class)
    inner = tuple(terms[:, 1 + j] for j in range(len(groups)))
    return PartitionKL(high=terms[:, 0], inner=inner, rest=terms[:, -1])


def _exact_rows(terms: Tensor, rows: Tensor, a: Tensor, b: Tensor,
                masks: List[Tensor], one_class: List[bool]) -> Tensor:
    """``terms`` with the pixels ``rows`` (``(N, ...)`` bool) replaced by
    :func:`_exact_terms` of their ``(n, C)`` class vectors."""

    def pick(x: Tensor) -> Tensor:
        return x.movedim(1, -1)[rows]  # (n, C)

    exact = _exact_terms(pick(a), pick(b), [pick(m) for m in masks],
                         one_class)  # (n, 1 + G)
    return terms.movedim(1, -1).index_put((rows, ), exact).movedim(-1, 1)


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
def top_masks(b: Tensor,
              k: int,
              split_top1: bool = False,
              valid: Optional[Tensor] = None) -> Tuple[List[Tensor], Tensor]:
    """0 / 1 masks of the teacher's top-k classes per row / pixel.

    The classes at or above the k-th largest value form the top-k unless
    the k-th and (k + 1)-th largest values tie (or, with ``split_top1``,
    the 1st and 2nd); at those rows / pixels, and only there,
    ``torch.topk`` picks, as in the reference code, so the partition is
    always the one ``topk`` gives.

    Args:
        b: ``(N, C, ...)`` teacher logits.
        k: size of the top group (``< C``).
        split_top1: split the top-k into the top-1 and ranks 2..k.
        valid: ``(N, ...)`` bool; ties elsewhere are left unresolved
            (their masks may hold more classes), for rows that will not
            count.

    Returns:
        ``(masks, maximum)``: ``[top-k]`` or ``[top-1, ranks 2..k]`` as
        ``(N, C, ...)`` masks of ``b``'s dtype, and the ``(N, 1, ...)``
        maximum of ``b``.
    """
    values = _largest(b, k + 1)  # (N, k + 1, ...)
    top = torch.ge(b, values[:, k - 1:k], out=torch.empty_like(b))
    tied = values[:, k - 1] == values[:, k]  # (N, ...)
    masks = [top]
    if split_top1:
        first = torch.ge(b, values[:, :1], out=torch.empty_like(b))
        masks = [first, top.sub_(first)]
        tied |= values[:, 0] == values[:, 1]
    if valid is not None:
        tied &= valid
    if tied.any():
        rows = b.movedim(1, -1)[tied]  # (n_tied, C)
        index = rows.topk(k, dim=1, sorted=split_top1).indices
        parts = index.split([1, k - 1], dim=1) if split_top1 else [index]
        for mask, part in zip(masks, parts):
            mask.movedim(1, -1)[tied] = torch.zeros_like(rows).scatter_(
                1, part, 1.)
    return masks, values[:, :1]
