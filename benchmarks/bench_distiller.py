"""Cost of distillation: one SegDistiller training iteration against a
plain student training iteration plus the teacher's inference on the same
batch, in one run (budget: ratio <= 1.05), and the peak memory of each.

    python benchmarks/bench_distiller.py [--size 256 512] [--repeats 5]

Defaults: MMSeg's DeepLabV3-R18-D8 student, DeepLabV3-R101-D8 teacher,
19 classes, batch 2, GDKD (k=3) + aux distillation 0.4, CPU. Peak memory
is the process's peak RSS during the training steps (CPU; the peak is
reset after the models are built) or ``max_memory_allocated`` (CUDA),
each mode measured in a fresh subprocess.
"""
import argparse
import copy
import json
import resource
import statistics
import subprocess
import sys
import time

import torch

import gdkd_seg  # noqa: F401
from gdkd_seg.models.distillers import SegDistiller
from gdkd_seg.models.distillers.base import load_model_cfg
from mmengine.optim import OptimWrapper
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

STUDENT = 'mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py'
TEACHER = 'mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py'


def model_cfg(path: str):
    cfg = load_model_cfg(path)
    cfg.pretrained = None  # offline: random weights time the same
    # SyncBN -> BN: one process (MMEngine does the same at run time)
    text = json.dumps(cfg.to_dict()).replace('"SyncBN"', '"BN"')
    return type(cfg)(json.loads(text))


def batch(n: int, h: int, w: int, device: str):
    g = torch.Generator().manual_seed(0)
    samples = [
        SegDataSample(gt_sem_seg=PixelData(
            data=torch.randint(0, 19, (1, h, w), generator=g).to(device)))
        for _ in range(n)
    ]
    return torch.randn(n, 3, h, w, generator=g).to(device), samples


def build(device: str):
    torch.manual_seed(0)
    distiller = SegDistiller(
        student=model_cfg(STUDENT), teacher=model_cfg(TEACHER),
        distill_losses=dict(type='GDKDLoss', k=3), aux_distill_weight=0.4)
    distiller.to(device).train()
    # the same student weights, trained alone
    student = copy.deepcopy(distiller.student).train()
    teacher = distiller.teacher
    return distiller, student, teacher


def step_distiller(model, optim, inputs, samples):
    optim.update_params(
        model.parse_losses(model.loss(inputs, samples))[0])


def step_separate(student, teacher, optim, inputs, samples):
    optim.update_params(
        student.parse_losses(student.loss(inputs, samples))[0])
    with torch.no_grad():  # what the distiller needs of the teacher
        feats = teacher.extract_feat(inputs)
        teacher.decode_head(feats)
        teacher.auxiliary_head(feats)


def sync(device: str):
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def timed(fn, device: str) -> float:
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def peak_memory(mode: str, args) -> float:
    """MiB at peak for one mode, in a fresh process."""
    cmd = [sys.executable, __file__, '--_peak', mode, '--size',
           *map(str, args.size), '--batch', str(args.batch), '--device',
           args.device]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run_peak(mode: str, args) -> None:
    distiller, student, teacher = build(args.device)
    inputs, samples = batch(args.batch, *args.size, args.device)
    if mode == 'distiller':
        del student
        optim = OptimWrapper(torch.optim.SGD(distiller.parameters(), 0.01))
        fn = lambda: step_distiller(distiller, optim, inputs, samples)  # noqa
    else:
        optim = OptimWrapper(torch.optim.SGD(student.parameters(), 0.01))
        fn = lambda: step_separate(student, teacher, optim, inputs,  # noqa
                                   samples)
    if args.device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    else:
        reset_peak_rss()  # count the training steps, not the model build
    for _ in range(2):
        fn()
    if args.device.startswith('cuda'):
        print(torch.cuda.max_memory_allocated() / 2**20)
    else:
        print(peak_rss_mib())


def reset_peak_rss() -> None:
    """Reset the process's peak RSS (Linux ``clear_refs``), if we may."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


def peak_rss_mib() -> float:
    """Peak RSS since the last reset (``VmHWM``), else since start."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size', type=int, nargs=2, default=(256, 512))
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--_peak', help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args._peak:
        return run_peak(args._peak, args)

    distiller, student, teacher = build(args.device)
    inputs, samples = batch(args.batch, *args.size, args.device)
    opt_d = OptimWrapper(torch.optim.SGD(distiller.parameters(), 0.01))
    opt_s = OptimWrapper(torch.optim.SGD(student.parameters(), 0.01))
    runs = {
        'distiller': lambda: step_distiller(distiller, opt_d, inputs,
                                            samples),
        'student + teacher': lambda: step_separate(student, teacher, opt_s,
                                                   inputs, samples),
    }
    times = {name: [] for name in runs}
    for name, fn in runs.items():  # warm-up
        fn()
    for _ in range(args.repeats):  # interleaved: same machine state
        for name, fn in runs.items():
            times[name].append(timed(fn, args.device))
    median = {k: statistics.median(v) for k, v in times.items()}
    print(f'DeepLabV3 R101 -> R18, batch {args.batch}x3x{args.size[0]}x'
          f'{args.size[1]}, {args.device}, {args.threads} threads, '
          f'{args.repeats} repeats (median)')
    base = median['student + teacher']
    for name in runs:
        mem = peak_memory('distiller' if name == 'distiller' else 'sep',
                          args)
        print(f'{name:>18}: {median[name] * 1e3:9.1f} ms/iter  '
              f'{median[name] / base:5.3f}x  peak {mem:8.1f} MiB')


if __name__ == '__main__':
    main()
