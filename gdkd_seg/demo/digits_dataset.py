"""The demo benchmark's dataset: Cityscapes files, 11 digit classes."""
from mmseg.datasets import CityscapesDataset
from mmseg.registry import DATASETS


@DATASETS.register_module()
class DemoDigitsDataset(CityscapesDataset):
    """MMSeg's Cityscapes dataset with the demo's 11 classes.

    Files, suffixes and label encoding are Cityscapes' (written by
    :func:`build_demo_digits`); only the class names and palette differ
    (MMSeg accepts a custom ``metainfo`` only for a subset of the 19
    Cityscapes classes, hence a subclass).
    """
    METAINFO = dict(
        classes=('background', ) + tuple(f'digit {d}' for d in range(10)),
        palette=[[0, 0, 0], [230, 25, 75], [60, 180, 75], [255, 225, 25],
                 [0, 130, 200], [245, 130, 48], [145, 30, 180],
                 [70, 240, 240], [240, 50, 230], [210, 245, 60],
                 [250, 190, 212]])
