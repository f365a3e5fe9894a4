"""A side-by-side grid: image | ground truth | each model's prediction."""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch


def colorize(label: np.ndarray, palette: Sequence[Sequence[int]],
             ignore_index: int = 255,
             ignore_colour: Tuple[int, int, int] = (255, 255, 255)
             ) -> np.ndarray:
    """An ``(H, W)`` label map painted with the dataset palette (RGB)."""
    lut = np.zeros((256, 3), np.uint8)
    lut[:len(palette)] = np.asarray(palette, np.uint8)
    lut[ignore_index] = ignore_colour
    return lut[np.asarray(label, np.uint8)]


def plot_prediction_grid(images: Sequence[np.ndarray],
                         columns: Sequence[Tuple[str, Sequence[np.ndarray]]],
                         palette: Sequence[Sequence[int]],
                         out_file: str,
                         class_names: Optional[Sequence[str]] = None) -> str:
    """Write the grid as a PNG.

    Args:
        images: ``(H, W, 3)`` RGB uint8 images (one per row).
        columns: ``(title, label maps)`` per column, e.g. ground truth
            then each model's predictions; label maps are ``(H, W)``.
        palette: RGB colour per class (the dataset's ``metainfo``).
        out_file: the PNG to write.
        class_names: if given, a colour legend is added.

    Returns:
        ``out_file``.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    rows, cols = len(images), 1 + len(columns)
    h, w = images[0].shape[:2]
    cell = 2.4
    fig, axes = plt.subplots(rows, cols, squeeze=False,
                             figsize=(cell * cols, cell * h / w * rows + 0.9))
    for r in range(rows):
        panels = [images[r]] + [colorize(maps[r], palette)
                                for _, maps in columns]
        for c, panel in enumerate(panels):
            ax = axes[r, c]
            ax.imshow(panel, interpolation='nearest')
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title('image' if c == 0 else columns[c - 1][0],
                             fontsize=9)
    if class_names is not None:
        handles = [Patch(color=np.asarray(p) / 255, label=n)
                   for n, p in zip(class_names, palette)]
        handles.append(Patch(facecolor='white', edgecolor='k',
                             label='ignore'))
        fig.legend(handles=handles, loc='lower center', fontsize=7,
                   ncol=min(len(handles), 6), frameon=False)
    fig.tight_layout(rect=(0, 0.08 if class_names else 0, 1, 1))
    fig.savefig(out_file, dpi=110)
    plt.close(fig)
    return out_file


@torch.no_grad()
def predictions_from_configs(models: Sequence[Tuple[str, str, str]],
                             out_file: str,
                             num_images: int = 4,
                             indices: Optional[Sequence[int]] = None,
                             split: str = 'test',
                             cfg_options: Optional[dict] = None) -> str:
    """Predict a few images of the first model's ``split`` data with every
    model and plot :func:`plot_prediction_grid`.

    Args:
        models: ``(title, config, checkpoint)`` per model (a distillation
            config predicts with its student).
        out_file: the PNG to write.
        num_images: the first images to show (if ``indices`` is None).
        indices: dataset indices to show.
        split: which dataloader's dataset to take.
        cfg_options: overrides applied to every config (e.g. data root).
    """
    from .inference import build_dataset, iter_batches, load_cfg, load_model
    cfgs = [load_cfg(cfg, cfg_options) for _, cfg, _ in models]
    dataset = build_dataset(cfgs[0], split)
    indices = list(indices if indices is not None else range(
        min(num_images, len(dataset))))
    batch = next(iter_batches(dataset, indices, len(indices)))
    images, gts = [], []
    for inputs, sample in zip(batch['inputs'], batch['data_samples']):
        images.append(inputs.permute(1, 2, 0).numpy()[..., ::-1])  # BGR
        gts.append(sample.gt_sem_seg.data[0].numpy())
    columns = [('ground truth', gts)]
    for (title, _, ckpt), cfg in zip(models, cfgs):
        model = load_model(cfg, ckpt)
        preds = model.test_step(batch)
        columns.append((title, [p.pred_sem_seg.data[0].numpy()
                                for p in preds]))
    meta = dataset.metainfo
    return plot_prediction_grid(images, columns, meta['palette'], out_file,
                                meta['classes'])
