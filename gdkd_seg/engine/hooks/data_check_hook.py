"""Fail fast, with the path to fix, on a dataset that is missing or empty.

A missing data root fails while the dataset is built (with
``FileNotFoundError``). An empty one fails there too, with numpy's
"need at least one array to concatenate" (MMEngine serialises the
annotation list), which :func:`explain_empty_dataset` rewords; with
``serialize_data=False`` it would instead make the infinite sampler spin
forever, which :class:`DataCheckHook` prevents.
"""
from contextlib import contextmanager
from typing import Iterator

from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


def _describe(dataset_cfg) -> str:
    get = dataset_cfg.get if hasattr(dataset_cfg, 'get') else (
        lambda key: getattr(dataset_cfg, key, None))
    return (f"{get('type') or type(dataset_cfg).__name__} with data_root="
            f"{get('data_root')!r}, data_prefix={get('data_prefix')}")


@contextmanager
def explain_empty_dataset(cfg: Config) -> Iterator[None]:
    """Re-raise MMEngine's error on an empty dataset as one that names the
    configured datasets' paths."""
    try:
        yield
    except ValueError as err:
        if 'need at least one array to concatenate' not in str(err):
            raise
        places = '; '.join(
            f'{split}: {_describe(cfg[split].dataset)}'
            for split in ('train_dataloader', 'val_dataloader')
            if cfg.get(split) is not None)
        raise RuntimeError(
            f'a dataset is empty (no image/label pairs found) - {places}. '
            'Check the paths and img_suffix/seg_map_suffix.') from err


@HOOKS.register_module()
class DataCheckHook(Hook):
    """Check before training that the train and val datasets hold data."""

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        loaders = [('train', runner.train_dataloader)]
        if runner.val_loop is not None:
            loaders.append(('val', runner.val_loop.dataloader))
        for split, loader in loaders:
            if len(loader.dataset) == 0:
                raise RuntimeError(
                    f'the {split} dataset is empty: '
                    f'{_describe(loader.dataset)}; check the paths and '
                    'img_suffix/seg_map_suffix')
