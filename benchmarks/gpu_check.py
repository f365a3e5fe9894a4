"""GPU readiness check (run by benchmarks/gpu_check.sh; docs "GPU
check"): a few distillation iterations of DeepLabV3-R101 -> DeepLabV3-R18
(configs/gdkd/deeplabv3_r101_to_r18_cityscapes.py, GDKD + aux
distillation, batch 2) at 512x1024 in fp32, fp16 AMP (MMEngine's
``AmpOptimWrapper``, dynamic loss scaling) and bf16 (our
``AutocastOptimWrapper``). For each: the distillation losses must come
out float32 and finite while the logits are in the autocast dtype, and
iterations/s and peak memory are printed for the distiller against a
plain student training step plus the teacher's inference on the same
batch. Random weights and random images: nothing is downloaded.

    python benchmarks/gpu_check.py [--iters 5] [--warmup 2]
    python benchmarks/gpu_check.py --device cpu --iters 1 --warmup 0 \
        --size 64 128 --modes fp32 bf16      # CPU smoke run (tests)

Exits with status 1 when a check fails.
"""
import argparse
import json
import sys
import time
from typing import Dict, List

import gdkd_seg  # noqa: F401  (registrations, mmcv-lite stand-in)
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper, build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from gdkd_seg.compat.dist_env import _replace_sync_bn
from gdkd_seg.models.distillers.base import load_model_cfg

DISTILL = 'configs/gdkd/deeplabv3_r101_to_r18_cityscapes.py'
STUDENT = 'configs/baselines/deeplabv3_r18_cityscapes.py'
MODES = {
    'fp32': dict(type='OptimWrapper'),
    'fp16': dict(type='AmpOptimWrapper', loss_scale='dynamic'),
    'bf16': dict(type='AutocastOptimWrapper', dtype='bfloat16'),
}
CAST = {'fp32': torch.float32, 'fp16': torch.float16,
        'bf16': torch.bfloat16}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default='cuda')
    parser.add_argument('--size', type=int, nargs=2, default=[512, 1024],
                        metavar=('H', 'W'))
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--iters', type=int, default=5,
                        help='timed iterations per mode and model')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--modes', nargs='+', default=list(MODES),
                        choices=list(MODES))
    parser.add_argument('--json', help='also write the results here')
    return parser.parse_args()


def random_batch(n: int, size, num_classes: int, seed: int) -> dict:
    """Random images (uint8, as loaded) and labels with some ignored
    pixels, in the form MMSeg's data preprocessor takes."""
    g = torch.Generator().manual_seed(seed)
    h, w = size
    samples = []
    for _ in range(n):
        label = torch.randint(0, num_classes, (1, h, w), generator=g)
        label[:, :h // 16] = 255
        sample = SegDataSample(gt_sem_seg=PixelData(data=label))
        sample.set_metainfo(dict(img_shape=(h, w), ori_shape=(h, w),
                                 pad_shape=(h, w)))
        samples.append(sample)
    images = [torch.randint(0, 256, (3, h, w), generator=g,
                            dtype=torch.uint8) for _ in range(n)]
    return dict(inputs=images, data_samples=samples)


def wrapper(mode: str, model: torch.nn.Module, device: str) -> OptimWrapper:
    """The optimizer wrapper of ``mode`` (the configs' SGD)."""
    cfg = dict(MODES[mode], optimizer=dict(
        type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4))
    if mode == 'bf16':
        cfg['device_type'] = device.split(':')[0]
    return build_optim_wrapper(model, cfg)


def sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def measure(step, device: str, warmup: int, iters: int) -> Dict:
    """Iterations/s and peak memory of ``step()``."""
    for _ in range(warmup):
        step()
    if device.startswith('cuda'):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    sync(device)
    start = time.perf_counter()
    for _ in range(iters):
        step()
    sync(device)
    seconds = time.perf_counter() - start
    peak = (torch.cuda.max_memory_allocated() / 2**20
            if device.startswith('cuda') else float('nan'))
    return dict(it_per_s=iters / seconds, peak_mib=peak)


def run_mode(mode, distiller, student, batch, args) -> Dict:
    device = args.device
    seen: List[tuple] = []
    original = distiller.distill

    def recording(s, t, *rest, **kwargs):
        out = original(s, t, *rest, **kwargs)
        for key, value in out.items():
            if 'loss' in key:
                seen.append((s.dtype, t.dtype, value.dtype,
                             bool(torch.isfinite(value))))
        return out

    distiller.distill = recording  # this instance only
    # the distiller (its teacher follows it) alone on the device
    student.cpu()
    distiller.to(device)
    optim = wrapper(mode, distiller, device)
    own = measure(lambda: distiller.train_step(batch, optim), device,
                  args.warmup, args.iters)
    del optim
    distiller.distill = original
    # a plain student step + the same teacher's inference on the batch
    distiller.student.cpu()
    student.to(device)
    teacher = distiller.teacher
    optim = wrapper(mode, student, device)

    def separate():
        student.train_step(batch, optim)
        with torch.no_grad(), optim.optim_context(teacher):
            data = student.data_preprocessor(batch, False)
            teacher(data['inputs'], data['data_samples'], mode='tensor')

    plain = measure(separate, device, args.warmup, args.iters)
    del optim
    student.cpu()
    cast = CAST[mode]
    ok = bool(seen) and all(
        s == t == cast and loss == torch.float32 and finite
        for s, t, loss, finite in seen)
    return dict(mode=mode, distiller=own, separate=plain, checks_ok=ok,
                logits_dtypes=sorted({str(s) for s, *_ in seen}),
                loss_dtypes=sorted({str(x[2]) for x in seen}),
                all_finite=all(x[3] for x in seen), n_losses=len(seen))


def build(args):
    """The distiller (random teacher, no checkpoint: nothing downloaded)
    and the plain student, BN instead of SyncBN (one process), inputs
    padded to ``--size``."""
    init_default_scope('mmseg')
    cfg = Config.fromfile(DISTILL).model
    cfg.teacher = load_model_cfg(cfg.teacher)
    cfg.teacher_ckpt = None
    cfg.student.data_preprocessor.size = tuple(args.size)
    plain = Config.fromfile(STUDENT).model
    plain.data_preprocessor.size = tuple(args.size)
    _replace_sync_bn(cfg)
    _replace_sync_bn(plain)
    distiller = MODELS.build(cfg)
    distiller.build_teacher()
    return distiller.train(), MODELS.build(plain).train()


def main() -> int:
    args = parse_args()
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        print('no CUDA device: run with --device cpu for a smoke run')
        return 2
    torch.backends.cudnn.benchmark = False
    torch.manual_seed(0)
    distiller, student = build(args)
    classes = distiller.student.decode_head.num_classes
    batch = random_batch(args.batch, args.size, classes, seed=0)
    name = (torch.cuda.get_device_name() if args.device.startswith('cuda')
            else 'CPU')
    print(f'{name}, torch {torch.__version__}, {args.batch}x3x'
          f'{args.size[0]}x{args.size[1]}, {args.warmup} warm-up + '
          f'{args.iters} timed iterations per row')
    results = []
    for mode in args.modes:
        if mode == 'fp16' and not args.device.startswith('cuda'):
            print('fp16: skipped (MMEngine\'s AmpOptimWrapper needs CUDA)')
            continue
        results.append(run_mode(mode, distiller, student, batch, args))
    print('| mode | distiller it/s | peak MiB | student step + teacher '
          'inference it/s | peak MiB | time ratio | logits | losses | '
          'finite |')
    print('|---|---|---|---|---|---|---|---|---|')
    for r in results:
        d, s = r['distiller'], r['separate']
        print(f"| {r['mode']} | {d['it_per_s']:.2f} | {d['peak_mib']:.0f} "
              f"| {s['it_per_s']:.2f} | {s['peak_mib']:.0f} | "
              f"{s['it_per_s'] / d['it_per_s']:.3f} | "
              f"{','.join(r['logits_dtypes'])} | "
              f"{','.join(r['loss_dtypes'])} | {r['all_finite']} |")
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(device=name, args=vars(args), results=results),
                      f, indent=1)
    failed = [r['mode'] for r in results if not r['checks_ok']]
    print('checks: ' + (f'FAILED for {failed}' if failed else
                        'losses float32 and finite in every mode'))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
