"""A small, honest measurement of DMAE and AMD against plain MAE.

    python benchmarks/bench_mim_digits.py [--seeds 5] [--epochs 60]
        [--out work_dirs/mim_digits.json]

Data: scikit-learn's 1,797 handwritten digits (8x8, shipped in the wheel),
upscaled to 16x16 (4x4 patches of 4 pixels), grey in three channels; a
fixed stratified split, 70 % train / 30 % test (seed 0).

1. A teacher MAE (64-d, 8 blocks) is pre-trained on the train images.
2. For each seed, four students (32-d, 4 blocks) are pre-trained on the
   same images from the same initial weights, batches and student masks:
   plain MMPretrain ``MAE`` (per-patch normalised pixel target, MAE's and
   AMD's), ``MAE-raw`` (raw pixels, DMAE's target), ``DMAE`` (block 3 of
   4 <- block 6 of 8, as 9/12 <- 18/24) and ``AMD`` (blocks 2, 4 <- 4, 8;
   teacher mask ratio 0.5), each with its shipped config's settings
   otherwise.
3. Linear probe: logistic regression on the mean patch token of the
   unmasked encoder (train split), top-1 on the test split.

Reported: per-arm accuracies, the paired differences DMAE - MAE-raw
(the distillation alone), DMAE - MAE and AMD - MAE over seeds with
Bonferroni-corrected 95 % t-intervals. Results already in ``--out`` are
kept (the runs are deterministic), so arms can be added later. A plain PyTorch loop (AdamW, warm-up + cosine) drives the
registered models; one intra-op thread.
"""
import argparse
import json
import math
import os
import os.path as osp
import time

import numpy as np
import torch

import gdkd_seg.cls  # noqa: F401  (DMAE, AMD)
from gdkd_seg.demo.paired import paired, t_quantile
from mmpretrain.registry import MODELS

IMG, PATCH = 16, 4


def vit(dims, layers, heads):
    return dict(embed_dims=dims, num_layers=layers, num_heads=heads,
                feedforward_channels=4 * dims)


def mae(dims, layers, heads, norm_pix=True):
    """An MMPretrain MAE on 16x16 images (the shipped configs' model with
    small widths)."""
    return dict(
        type='MAE',
        backbone=dict(type='MAEViT', arch=vit(dims, layers, heads),
                      img_size=IMG, patch_size=PATCH, mask_ratio=0.75),
        neck=dict(type='MAEPretrainDecoder', num_patches=16,
                  patch_size=PATCH, embed_dim=dims, decoder_embed_dim=32,
                  decoder_depth=2, decoder_num_heads=2, mlp_ratio=4),
        head=dict(type='MAEPretrainHead', norm_pix=norm_pix,
                  patch_size=PATCH,
                  loss=dict(type='PixelReconstructionLoss',
                            criterion='L2')),
        init_cfg=[dict(type='Xavier', layer='Linear',
                       distribution='uniform'),
                  dict(type='Constant', layer='LayerNorm', val=1.0,
                       bias=0.0)])


def digits():
    """``(x_train, y_train, x_test, y_test)``: ``(N, 3, 16, 16)`` float32
    normalised images and labels; stratified 70/30 split, seed 0."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    x = torch.from_numpy(d.images.astype(np.float32) / 16.)[:, None]
    x = torch.nn.functional.interpolate(x, scale_factor=2, mode='nearest')
    x = x.expand(-1, 3, -1, -1)
    idx = np.arange(len(x))
    tr, te = train_test_split(idx, test_size=0.3, stratify=d.target,
                              random_state=0)
    mean, std = x[tr].mean(), x[tr].std()
    x = ((x - mean) / std).contiguous()
    return x[tr], d.target[tr], x[te], d.target[te]


def pretrain(model, x, epochs, seed, lr=1e-3, batch=128):
    """AdamW (0.9, 0.95), wd 0.05 (none on norms, biases, tokens,
    position embeddings), 10 % linear warm-up then cosine to 0."""
    decay, plain = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        no_wd = (p.ndim < 2 or 'token' in name or 'pos_embed' in name)
        (plain if no_wd else decay).append(p)
    opt = torch.optim.AdamW([dict(params=decay, weight_decay=0.05),
                             dict(params=plain, weight_decay=0.)], lr=lr,
                            betas=(0.9, 0.95))
    steps = epochs * math.ceil(len(x) / batch)
    warm = max(steps // 10, 1)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, 0.5 * (1 + math.cos(
            math.pi * min(max(s - warm, 0) / max(steps - warm, 1), 1)))))
    order = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(x), generator=order).split(batch):
            losses = model(x[idx], None, mode='loss')
            loss = sum(v for k, v in losses.items() if 'loss' in k)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return loss.item()


@torch.no_grad()
def features(model, x):
    """Mean patch token of the unmasked encoder (after its final norm)."""
    model.eval()
    tokens = model.backbone(x, mask=None)[0]  # (N, 1 + L, C)
    return tokens[:, 1:].mean(1).numpy()


def probe(model, data):
    """Top-1 (%) of a logistic regression on frozen features."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    x_tr, y_tr, x_te, y_te = data
    scaler = StandardScaler().fit(features(model, x_tr))
    clf = LogisticRegression(max_iter=3000).fit(
        scaler.transform(features(model, x_tr)), y_tr)
    return 100 * clf.score(scaler.transform(features(model, x_te)), y_te)


def student(kind, teacher_path, seed):
    base = mae(32, 4, 2, norm_pix=kind not in ('DMAE', 'MAE-raw'))
    if kind in ('MAE', 'MAE-raw'):
        cfg = base
    elif kind == 'DMAE':
        cfg = dict(base, type='DMAE', student_layers=(2, ),
                   teacher_layers=(5, ))
    else:
        cfg = dict(base, type='AMD', student_layers=(1, 3),
                   teacher_layers=(3, 7), teacher_mask_ratio=0.5)
    if kind in ('DMAE', 'AMD'):
        cfg.update(teacher=mae(64, 8, 4), teacher_ckpt=teacher_path,
                   teacher_dims=64)
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    model.init_weights()  # the teacher is built (RNG preserved) here
    # the MAE student of this seed, exactly: MMEngine initialises the
    # projections within the same pass, which shifts the random stream
    torch.manual_seed(seed)
    plain = MODELS.build(mae(32, 4, 2))
    plain.init_weights()
    missing, unexpected = model.load_state_dict(plain.state_dict(),
                                                strict=False)
    assert not unexpected and all(
        k.startswith(('projectors.', 'generators.')) for k in missing)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, default=5)
    parser.add_argument('--epochs', type=int, default=60)
    parser.add_argument('--teacher-epochs', type=int, default=100)
    parser.add_argument('--arms', nargs='+',
                        default=['MAE', 'MAE-raw', 'DMAE', 'AMD'],
                        choices=['MAE', 'MAE-raw', 'DMAE', 'AMD'])
    parser.add_argument('--out', default='work_dirs/mim_digits.json')
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    data = digits()
    start = time.time()
    t_path = osp.splitext(args.out)[0] + '_teacher.pth'
    result = dict(args=vars(args), split='digits test (30 %, 540 images)',
                  acc={})
    if osp.isfile(args.out):  # runs are deterministic: keep those done
        with open(args.out) as f:
            done = json.load(f)
        result.update(teacher=done['teacher'], acc=done['acc'],
                      seconds=done.get('seconds', 0))
    else:
        torch.manual_seed(1000)
        teacher = MODELS.build(mae(64, 8, 4))
        teacher.init_weights()
        pretrain(teacher, data[0], args.teacher_epochs, seed=1000)
        torch.save({'state_dict': teacher.state_dict(), 'meta': {}},
                   t_path)
        result['teacher'] = probe(teacher, data)
    print(f"teacher {result['teacher']:.2f} ({time.time() - start:.0f}s)")
    for kind in args.arms:
        result['acc'].setdefault(kind, [])
        for seed in range(len(result['acc'][kind]), args.seeds):
            model = student(kind, t_path, seed)
            torch.manual_seed(10_000 + seed)  # the same masks in each arm
            pretrain(model, data[0], args.epochs, seed)
            result['acc'][kind].append(probe(model, data))
            print(f'{kind} seed {seed}: {result["acc"][kind][-1]:.2f} '
                  f'({time.time() - start:.0f}s)', flush=True)
    result['paired'] = {}
    pairs = [(a, b) for a, b in (('DMAE', 'MAE-raw'), ('DMAE', 'MAE'),
                                 ('AMD', 'MAE'))
             if a in result['acc'] and b in result['acc']]
    # Bonferroni over the comparisons made
    q = t_quantile(1 - 0.05 / 2 / len(pairs), args.seeds - 1)
    for a, b in pairs:
        p = paired(result['acc'][a][:args.seeds],
                   result['acc'][b][:args.seeds])
        half = q * p.sd / math.sqrt(p.n)
        result['paired'][f'{a} - {b}'] = dict(
            p.as_dict(), ci95_bonferroni=[p.mean - half, p.mean + half])
        print(f'{a} - {b}: {p.mean:+.2f} points, 95 % CI (Bonferroni '
              f'x{len(pairs)}) [{p.mean - half:+.2f}, {p.mean + half:+.2f}]'
              f', wins {p.wins}/{p.n}')
    result['seconds'] = result.get('seconds', 0) + time.time() - start
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=1)


if __name__ == '__main__':
    main()
