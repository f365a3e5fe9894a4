"""Time forward + backward of the registered distillation losses.

Not a test: a stand-alone script that compares each registered loss with a
plain log-softmax KD written here, on Cityscapes-sized stride-8 logits
(8 x C x 64 x 128, float32, CPU by default; C = 19 for Cityscapes, 150 for
ADE20K, 171 for COCO-Stuff) with random labels of which about 10 % are
``ignore_index`` (255). Every loss is timed in the same run, after
warm-up, and the median of several repeats is reported; with several
``--classes`` each class count gets its own plain-KD baseline, all in one
run::

    python benchmarks/bench_losses.py --repeats 10 --threads 2
    python benchmarks/bench_losses.py --classes 19 150 171 --repeats 5

Targets: GDKD <= 2.0x and KD <= 1.2x the plain KD at every C; CWD <= 1.5x
at C = 19. The losses launch many more (smaller) kernels than the plain
KD, so on an oversubscribed machine (load average above the core count)
the medians are inflated by waits at OpenMP barriers; the load average is
printed, and the minimum is shown as the estimate least affected by other
processes. The CTKD row (a learned temperature: float64 autograd through
the teacher's softmax as well) is for information; it has no target.
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
    candidates = [('plain KD', plain_kd)]
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
    times: Dict[str, List[float]] = {name: [] for name, _ in candidates}
    # interleave the losses so slow drifts of the machine hit all alike
    for _ in range(args.rounds):
        for name, fn in candidates:
            times[name] += time_one(fn, student, teacher, target,
                                    args.repeats, args.warmup)

    medians = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    base = medians['plain KD']
    minima = {name: min(t) * 1e3 for name, t in times.items()}
    print(f'shape {tuple(shape)} float32, threads {args.threads}, '
          f'{args.rounds} x {args.repeats} repeats (+{args.warmup} '
          f'warm-up), torch {torch.__version__}, load average '
          f'{load_before:.1f} -> {os.getloadavg()[0]:.1f} on '
          f'{os.cpu_count()} cores')
    print(f'{"loss":<16}{"median ms":>11}{"x plain KD":>12}'
          f'{"min ms":>9}{"x plain KD":>12}')
    for name, _ in candidates:
        print(f'{name:<16}{medians[name]:>11.1f}'
              f'{medians[name] / base:>12.2f}{minima[name]:>9.1f}'
              f'{minima[name] / minima["plain KD"]:>12.2f}')


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
