"""Load a trained model and its evaluation data from a config (analysis)."""
from typing import Iterator, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, MODELS, init_default_scope
from mmengine.runner import load_checkpoint

from gdkd_seg.checkpoint.safe_load import mmengine_checkpoint_loading
from gdkd_seg.models.distillers.seg_distiller import downsample_labels


def load_cfg(config: str, cfg_options: Optional[dict] = None) -> Config:
    """A config file (with its ``custom_imports``) plus overrides."""
    import gdkd_seg  # noqa: F401  (stack fixes + registrations)
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    return cfg


def load_model(cfg: Config, checkpoint: str) -> torch.nn.Module:
    """The config's model with the checkpoint's weights, in eval mode.

    For a distillation config the student is what is loaded and what
    predicts (as in ``tools/test.py``); the teacher's weights are not
    loaded.
    """
    model_cfg = cfg.model.copy()
    if 'teacher_ckpt' in model_cfg:
        model_cfg.teacher_ckpt = None
    model = MODELS.build(model_cfg)
    with mmengine_checkpoint_loading(f'checkpoint {checkpoint}'):
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True,
                        logger='silent')
    return model.eval()


def build_dataset(cfg: Config, split: str = 'test'):
    """The dataset of ``cfg.<split>_dataloader``."""
    return DATASETS.build(cfg[f'{split}_dataloader'].dataset)


def iter_batches(dataset, indices, batch_size: int = 8) -> Iterator:
    """Collated batches (MMEngine's ``pseudo_collate``) of ``indices``."""
    indices = list(indices)
    for i in range(0, len(indices), batch_size):
        yield pseudo_collate([dataset[j] for j in indices[i:i + batch_size]])


@torch.no_grad()
def logits_and_labels(model: torch.nn.Module,
                      batch: dict) -> Tuple[torch.Tensor, torch.Tensor]:
    """The model's raw logits and the matching labels of one batch.

    Segmentation: decode-head logits ``(N, C, h, w)`` (``tensor`` mode) and
    the labels nearest-downsampled to ``(N, h, w)``. Classification:
    ``(N, C)`` logits and ``(N, )`` labels.
    """
    data = model.data_preprocessor(batch, False)
    logits = model(data['inputs'], data['data_samples'], mode='tensor')
    if isinstance(logits, (tuple, list)):
        logits = logits[-1]
    samples = data['data_samples']
    if logits.dim() == 4:
        gt = torch.stack([s.gt_sem_seg.data[0] for s in samples])
        labels = downsample_labels(gt, logits.shape[2:]).long()
    else:
        labels = torch.cat([s.gt_label.view(-1)[:1] for s in samples])
    return logits, labels
