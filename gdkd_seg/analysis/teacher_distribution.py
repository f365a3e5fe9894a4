"""The teacher's average predictive distribution per class (GDKD paper,
Figures 4 and 5): which classes share a class's probability mass, the
top-k group GDKD splits off, and the distribution of the rest once the
top-1 is removed and renormalised (the "dark knowledge" DKD/GDKD weight).
"""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch


def class_mean_distribution(logits: torch.Tensor,
                            labels: torch.Tensor,
                            num_classes: Optional[int] = None,
                            temperature: float = 1.0,
                            ignore_index: int = 255
                            ) -> Tuple[np.ndarray, np.ndarray]:
    """Mean of ``softmax(logits / T)`` over the samples of each class.

    Args:
        logits: ``(N, C)`` or ``(N, C, H, W)`` (classes on axis 1).
        labels: ``(N, )`` or ``(N, H, W)``.
        num_classes: rows of the result (``C`` if not given).
        temperature: softmax temperature.
        ignore_index: label value left out.

    Returns:
        ``(num_classes, C)`` mean distributions (rows of absent classes are
        zero) and the ``(num_classes, )`` sample counts.
    """
    C = logits.shape[1]
    num_classes = num_classes or C
    if logits.dim() == 4:  # pixels become samples
        logits = logits.permute(0, 2, 3, 1).reshape(-1, C)
        labels = labels.reshape(-1)
    probs = torch.softmax(logits.double() / temperature, dim=1)
    keep = (labels != ignore_index) & (labels >= 0) & (labels < num_classes)
    probs, labels = probs[keep], labels[keep]
    sums = torch.zeros(num_classes, C, dtype=torch.float64)
    sums.index_add_(0, labels, probs)
    counts = torch.bincount(labels, minlength=num_classes).double()
    mean = sums / counts.clamp(min=1)[:, None]
    return mean.numpy(), counts.long().numpy()


def accumulate(mean_a: np.ndarray, count_a: np.ndarray, mean_b: np.ndarray,
               count_b: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Merge two :func:`class_mean_distribution` results (batch-wise)."""
    count = count_a + count_b
    w = np.where(count > 0, count_a / np.maximum(count, 1), 0)[:, None]
    return mean_a * w + mean_b * (1 - w), count


def drop_top1(dist: np.ndarray) -> np.ndarray:
    """``dist`` with its largest entry removed and the rest renormalised
    (the entry becomes 0)."""
    out = np.array(dist, dtype=np.float64)
    out[np.argmax(out)] = 0
    total = out.sum()
    return out / total if total > 0 else out


def plot_teacher_distribution(mean_probs: np.ndarray,
                              class_names: Sequence[str],
                              out_file: str,
                              classes: Optional[Sequence[int]] = None,
                              k: int = 3,
                              counts: Optional[np.ndarray] = None,
                              title: str = '') -> str:
    """Bar charts of the teacher's mean distribution for some classes.

    Row 1 (paper Fig. 4): the mean distribution of each chosen class; its
    top-k classes (GDKD's ``U1``) are highlighted. Row 2 (Fig. 5): the same
    with the top-1 removed and the rest renormalised.

    Args:
        mean_probs: ``(num_classes, C)`` from
            :func:`class_mean_distribution`.
        class_names: the ``C`` class names.
        out_file: the PNG to write.
        classes: rows to plot (default: up to 4 with the most samples, or
            the first 4).
        k: size of the highlighted top group.
        counts: samples per class (shown in the titles).
        title: figure title.

    Returns:
        ``out_file``.
    """
    import matplotlib
    matplotlib.use('Agg')  # files only, also without a display
    import matplotlib.pyplot as plt
    if classes is None:
        order = (np.argsort(-counts, kind='stable') if counts is not None
                 else np.arange(len(mean_probs)))
        classes = [int(c) for c in order[:4]
                   if counts is None or counts[c] > 0]
    n, C = len(classes), mean_probs.shape[1]
    fig, axes = plt.subplots(2, n, figsize=(3.2 * n + 0.6, 5.6),
                             squeeze=False)
    x = np.arange(C)
    for col, c in enumerate(classes):
        dist = mean_probs[c]
        top = np.argsort(-dist, kind='stable')[:k]
        colours = np.where(np.isin(x, top), 'tab:red', 'tab:gray')
        ax = axes[0, col]
        ax.bar(x, dist, color=colours)
        label = class_names[c]
        if counts is not None:
            label += f' (n={int(counts[c])})'
        ax.set_title(label, fontsize=9)
        ax.set_ylim(0, 1)
        rest = drop_top1(dist)
        colours = np.where(np.isin(x, top[1:]), 'tab:red', 'tab:gray')
        colours[top[0]] = 'white'
        ax = axes[1, col]
        ax.bar(x, rest, color=colours)
        ax.set_title(f'top-1 ({class_names[top[0]]}) removed', fontsize=9)
        for ax in axes[:, col]:
            ax.set_xticks(x)
            ax.set_xticklabels(class_names, rotation=90, fontsize=7)
    axes[0, 0].set_ylabel(f'mean p (top-{k} in red)')
    axes[1, 0].set_ylabel('renormalised without top-1')
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)
    return out_file


def teacher_distribution_from_config(config: str,
                                     checkpoint: str,
                                     out_file: str,
                                     classes: Optional[Sequence[int]] = None,
                                     k: int = 3,
                                     temperature: float = 1.0,
                                     max_samples: int = 200,
                                     split: str = 'test',
                                     cfg_options: Optional[dict] = None
                                     ) -> str:
    """Run a trained (segmentation or classification) teacher over the
    first ``max_samples`` images of its ``split`` data and plot
    :func:`plot_teacher_distribution`."""
    from .inference import (build_dataset, iter_batches, load_cfg,
                            load_model, logits_and_labels)
    cfg = load_cfg(config, cfg_options)
    model = load_model(cfg, checkpoint)
    dataset = build_dataset(cfg, split)
    names = list(dataset.metainfo['classes'])
    mean, count = None, None
    for batch in iter_batches(dataset, range(min(max_samples,
                                                 len(dataset)))):
        logits, labels = logits_and_labels(model, batch)
        m, c = class_mean_distribution(logits, labels, len(names),
                                       temperature)
        mean, count = (m, c) if mean is None else accumulate(
            mean, count, m, c)
    return plot_teacher_distribution(
        mean, names, out_file, classes, k, count,
        title=f'teacher mean predictive distribution (T={temperature:g})')
