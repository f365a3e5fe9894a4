"""Time forward + backward of the registered distillation losses.

Not a test: a stand-alone script that compares each registered loss with a
plain log-softmax KD and with the official seg-gdkd GDKD loss (both
written here), on Cityscapes-sized stride-8 logits (8 x C x 64 x 128,
float32, CPU by default; C = 19 for Cityscapes, 150 for ADE20K, 171 for
COCO-Stuff) with random labels of which about 10 % are ``ignore_index``
(255). Every loss is timed in the same run, after warm-up, interleaved
over rounds, and the median of all repeats is reported; with several
``--classes`` each class count gets its own baselines, all in one run::

    python benchmarks/bench_losses.py --classes 19 150 171 --repeats 5

Budget (issue 19): GDKD is never slower than the official GDKD loss at
any C (the ``x official`` column <= 1). On an oversubscribed machine (load
average above the core count) the medians are inflated by waits at
OpenMP barriers; the load average is printed, and the minimum is shown
as the estimate least affected by other processes. Run it with
``PYTHONPATH`` at another checkout to time that checkout's losses with the
same baselines (the registered type names do not change).
"""
import argparse
import os
import statistics
import time
from typing import Callable, Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

import gdkd_seg  # noqa: F401  (registers the losses)
from gdkd_seg.registry import MODELS

IGNORE_INDEX = 255
TEMPERATURE = 1.0


def plain_kd(student: Tensor, teacher: Tensor, target: Tensor) -> Tensor:
    """The textbook per-pixel KD: no ignore handling, no partitions."""
    N, _, H, W = student.shape
    T = TEMPERATURE
    return F.kl_div(
        F.log_softmax(student / T, dim=1),
        F.softmax(teacher / T, dim=1),
        reduction='sum') / (N * H * W) * T * T


def official_gdkd(student: Tensor,
                  teacher: Tensor,
                  target: Tensor,
                  k: int = 3,
                  w0: float = 1.0,
                  w1: float = 1.0,
                  w2: float = 2.0,
                  with_stats: bool = True) -> Tensor:
    """The official seg-gdkd GDKD loss as it runs in training, re-written
    from a reading of ZaberKo/seg-gdkd @ 8c3f0c8, ``losses/distiller/
    gdkd.py`` (``GDKD.forward``, ``forward_flatten``, ``_gdkd_loss``,
    ``get_masks``, ``cat_mask``) and ``losses/distiller/utils.py``
    (``kl_div``, ``clamp_probs``), class defaults k=3, w=(1, 1, 2), T=1,
    ``ignore_index`` set.

    Its steps: labels nearest-resized to the logits; both maps flattened
    to ``(N*h*w, C)`` rows; with more than 1000 ignored pixels the valid
    rows are copied out (the path a 10 % ignored batch takes); the
    teacher's unsorted top-k as a boolean mask; softmax of both; the two
    masses by summing masked probabilities, clamped to ``[eps, 1 - eps]``
    and logged; the two conditionals as log-softmax with 1000 subtracted
    from the other group; three ``kl_div(batchmean)`` terms; and, as
    logged every call, the max / min statistics of both scaled logits
    (``with_stats``; the upstream code computes them unconditionally).
    """
    T = TEMPERATURE
    C, h, w = student.shape[1:]
    target = F.interpolate(target[:, None].float(), (h, w),
                           mode='nearest')[:, 0].long().flatten()
    rows_s = student.permute(0, 2, 3, 1).reshape(-1, C)
    rows_t = teacher.permute(0, 2, 3, 1).reshape(-1, C)
    valid = target != IGNORE_INDEX
    # its other branches (no or <= 1000 ignored pixels) are not timed here
    assert int((~valid).sum()) > 1000, 'ignore more than 1000 pixels'
    rows_s, rows_t = rows_s[valid], rows_t[valid]  # (n_valid, C) copies
    top = rows_t.topk(k, dim=-1, largest=True, sorted=False).indices
    in_top = torch.zeros_like(rows_t, dtype=torch.bool).scatter_(1, top, 1)
    in_rest = ~in_top
    a, b = rows_s / T, rows_t / T
    p_s, p_t = F.softmax(a, dim=1), F.softmax(b, dim=1)
    eps = torch.finfo(a.dtype).eps

    def masses(p: Tensor) -> Tensor:
        two = torch.cat([(p * in_top).sum(1, keepdim=True),
                         (p * in_rest).sum(1, keepdim=True)], dim=1)
        return two.clamp(min=eps, max=1 - eps)

    num_inf = ((p_s * in_rest).sum(1) < eps) | ((p_t * in_rest).sum(1) < eps)
    m_s, m_t = masses(p_s), masses(p_t)
    high = F.kl_div(m_s.log(), m_t, reduction='batchmean') * T**2
    lows = []
    for other in (in_rest, in_top):
        log_s = F.log_softmax(a - 1000 * other, dim=1)
        log_t = F.log_softmax(b - 1000 * other, dim=1)
        lows.append(
            F.kl_div(log_s, log_t, reduction='batchmean', log_target=True) *
            T**2)
    if with_stats:  # logged with num_inf.sum()
        num_inf.sum()
        for x in (a.detach(), b.detach()):
            x.max(), x.max(1)[0].mean(), x.min(), x.min(1)[0].mean()
    return w0 * high + w1 * lows[0] + w2 * lows[1]


def build_candidates() -> List[Tuple[str, Callable]]:
    """The plain baseline first, then each registered loss."""
    configs = [
        ('KD', dict(type='KDLoss')),
        ('DKD', dict(type='DKDLoss', alpha=1.0, beta=8.0)),
        ('GDKD k=3', dict(type='GDKDLoss', k=3, w0=1.0, w1=1.0, w2=2.0)),
        ('GDKD3 k=4', dict(type='GDKD3Loss', k=4, w0=1.0, w1=1.0,
                           w2=8.0)),
        ('GDKD k=3 + LS', dict(type='GDKDLoss', k=3, logit_stand=True)),
        ('CWD', dict(type='CWDLoss')),
        ('CWD T=4', dict(type='CWDLoss', temperature=4.0)),
    ]
    candidates = [('plain KD', plain_kd), ('official GDKD', official_gdkd)]
    for name, cfg in configs:
        cfg = dict(cfg, ignore_index=IGNORE_INDEX)
        cfg.setdefault('temperature', TEMPERATURE)
        candidates.append((name, MODELS.build(cfg)))
    ctkd = MODELS.build(
        dict(type='CTKDLoss',
             loss=dict(type='GDKDLoss', k=3, ignore_index=IGNORE_INDEX)))
    candidates.append(('GDKD k=3 + CTKD', ctkd))
    return candidates


def time_one(fn: Callable, student: Tensor, teacher: Tensor,
             target: Tensor, repeats: int, warmup: int) -> List[float]:
    """Wall-clock seconds of ``repeats`` forward + backward passes."""
    times = []
    for i in range(warmup + repeats):
        student.grad = None
        start = time.perf_counter()
        loss = fn(student, teacher, target)
        loss.backward()
        elapsed = time.perf_counter() - start
        if i >= warmup:
            times.append(elapsed)
    return times


def make_inputs(shape: Sequence[int], ignore_frac: float,
                seed: int) -> Tuple[Tensor, Tensor, Tensor]:
    """Random logits (student with grad) and labels with some 255s."""
    g = torch.Generator().manual_seed(seed)
    N, C, H, W = shape
    student = (3 * torch.randn(shape, generator=g)).requires_grad_()
    teacher = 3 * torch.randn(shape, generator=g)
    target = torch.randint(0, C, (N, H, W), generator=g)
    ignored = torch.rand((N, H, W), generator=g) < ignore_frac
    target[ignored] = IGNORE_INDEX
    return student, teacher, target


def run(shape: Sequence[int], args: argparse.Namespace) -> None:
    """Time every candidate on one logits shape and print the table."""
    load_before = os.getloadavg()[0]
    student, teacher, target = make_inputs(shape, args.ignore_frac,
                                           args.seed)
    candidates = build_candidates()
    # the re-implementation computes the registered loss's value
    with torch.no_grad():
        ours = dict(candidates)['GDKD k=3'](student, teacher, target)
        official = official_gdkd(student, teacher, target)
    times: Dict[str, List[float]] = {name: [] for name, _ in candidates}
    # interleave the losses so slow drifts of the machine hit all alike
    for _ in range(args.rounds):
        for name, fn in candidates:
            times[name] += time_one(fn, student, teacher, target,
                                    args.repeats, args.warmup)

    medians = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    minima = {name: min(t) * 1e3 for name, t in times.items()}
    print(f'shape {tuple(shape)} float32, threads {args.threads}, '
          f'{args.rounds} x {args.repeats} repeats (+{args.warmup} '
          f'warm-up), torch {torch.__version__}, gdkd_seg at '
          f'{os.path.dirname(os.path.dirname(gdkd_seg.__file__))}, load '
          f'average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on '
          f'{os.cpu_count()} cores; GDKD k=3 {ours.item():.6f}, official '
          f'{official.item():.6f}')
    print(f'{"loss":<18}{"median ms":>10}{"x plain KD":>11}'
          f'{"x official":>11}{"min ms":>8}{"x plain KD":>11}'
          f'{"x official":>11}')
    for name, _ in candidates:
        print(f'{name:<18}{medians[name]:>10.1f}'
              f'{medians[name] / medians["plain KD"]:>11.2f}'
              f'{medians[name] / medians["official GDKD"]:>11.2f}'
              f'{minima[name]:>8.1f}'
              f'{minima[name] / minima["plain KD"]:>11.2f}'
              f'{minima[name] / minima["official GDKD"]:>11.2f}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=10,
                        help='timed repeats per loss (median reported)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed runs before timing each loss')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch intra-op threads')
    parser.add_argument('--shape', type=int, nargs=4, default=[8, 19, 64, 128],
                        metavar=('N', 'C', 'H', 'W'),
                        help='logits shape (default: Cityscapes 512x1024 '
                        'crops at output stride 8, batch 8)')
    parser.add_argument('--classes', type=int, nargs='+', default=None,
                        metavar='C',
                        help='class counts to time in turn (replacing the '
                        "shape's C), e.g. 19 150 171")
    parser.add_argument('--ignore-frac', type=float, default=0.1,
                        help='fraction of labels set to 255')
    parser.add_argument('--rounds', type=int, default=3,
                        help='interleaved rounds over all losses; the '
                        'median is taken over all rounds')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    N, C, H, W = args.shape
    for num_classes in args.classes or [C]:
        run((N, num_classes, H, W), args)


if __name__ == '__main__':
    main()
