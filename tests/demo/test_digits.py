"""The demo benchmark builder: layout, label values, determinism, and that
MMSeg reads it through the registered Cityscapes-based dataset."""
import glob
import hashlib
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from gdkd_seg.demo import DemoDigitsDataset, build_demo_digits

SMALL = dict(n_train=6, n_val=3, size=(64, 128))


def _digest(root: str) -> str:
    h = hashlib.sha256()
    for path in sorted(glob.glob(osp.join(root, '**', '*.png'),
                                 recursive=True)):
        h.update(osp.relpath(path, root).encode())
        with open(path, 'rb') as f:
            h.update(f.read())
    return h.hexdigest()


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('digits'))
    return root, build_demo_digits(root, seed=3, **SMALL)


def test_cityscapes_layout(built):
    root, _ = built
    for split, n in (('train', 6), ('val', 3)):
        imgs = sorted(glob.glob(
            osp.join(root, 'leftImg8bit', split, '*', '*_leftImg8bit.png')))
        anns = sorted(glob.glob(osp.join(
            root, 'gtFine', split, '*', '*_gtFine_labelTrainIds.png')))
        assert len(imgs) == len(anns) == n
        for img, ann in zip(imgs, anns):
            stem = osp.basename(img)[:-len('_leftImg8bit.png')]
            assert osp.basename(ann) == f'{stem}_gtFine_labelTrainIds.png'
            assert cv2.imread(img).shape == (64, 128, 3)
            assert cv2.imread(ann, cv2.IMREAD_UNCHANGED).shape == (64, 128)


def test_label_values(built):
    root, meta = built
    values = set()
    for ann in glob.glob(osp.join(root, 'gtFine', '*', '*', '*.png')):
        label = cv2.imread(ann, cv2.IMREAD_UNCHANGED)
        assert label.dtype == np.uint8
        vals = set(np.unique(label).tolist())
        assert vals <= set(range(11)) | {255}
        assert 0 in vals and 255 in vals and vals - {0, 255}
        # every digit pixel touches no background: the ignore ring is
        # between them (4-neighbourhood)
        fg = (label > 0) & (label < 255)
        bg = label == 0
        assert not (fg[:, 1:] & bg[:, :-1]).any()
        assert not (fg[:, :-1] & bg[:, 1:]).any()
        assert not (fg[1:] & bg[:-1]).any()
        values |= vals
    counts = meta['pixel_counts']
    assert sum(counts['train'].values()) == 6 * 64 * 128
    assert len(values - {0, 255}) >= 4  # several digit classes occur


def test_deterministic(built, tmp_path):
    root, meta = built
    again = build_demo_digits(str(tmp_path / 'a'), seed=3, **SMALL)
    assert _digest(str(tmp_path / 'a')) == _digest(root)
    assert again == meta
    build_demo_digits(str(tmp_path / 'b'), seed=4, **SMALL)
    assert _digest(str(tmp_path / 'b')) != _digest(root)


def test_reuses_matching_build(built):
    root, meta = built
    before = _digest(root)
    assert build_demo_digits(root, seed=3, **SMALL) == meta
    assert _digest(root) == before


def test_read_by_mmseg(built):
    init_default_scope('mmseg')  # the pipeline's transforms are mmseg's
    root, _ = built
    dataset = DemoDigitsDataset(
        data_root=root,
        data_prefix=dict(img_path='leftImg8bit/val',
                         seg_map_path='gtFine/val'),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadAnnotations'),
                  dict(type='PackSegInputs')])
    assert len(dataset) == 3
    assert len(dataset.metainfo['classes']) == 11
    assert len(dataset.metainfo['palette']) == 11
    sample = dataset[0]['data_samples']
    assert sample.gt_sem_seg.data.shape == (1, 64, 128)
