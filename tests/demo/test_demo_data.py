"""The demo's data folder is rebuilt clean or verified against meta.json:
no stale images after a smaller rebuild, damaged files rebuilt, an
interrupted build never reused, and nobody else's folders cleared."""
import glob
import json
import os
import os.path as osp

import pytest

from gdkd_seg.demo import build_demo_digits
from gdkd_seg.demo.digits import digit_pools, files_sha256

BIG = dict(n_train=6, n_val=2, n_test=4)
SMALL = dict(n_train=3, n_val=1, n_test=2)


def _count(root):
    return {split: (len(glob.glob(f'{root}/leftImg8bit/{split}/*/*.png')),
                    len(glob.glob(f'{root}/gtFine/{split}/*/*.png')))
            for split in ('train', 'val', 'test')}


def test_a_smaller_rebuild_leaves_no_stale_images(tmp_path):
    root = str(tmp_path / 'data')
    build_demo_digits(root, **BIG)
    meta = build_demo_digits(root, **SMALL)
    assert _count(root) == dict(train=(3, 3), val=(1, 1), test=(2, 2))
    assert meta['args']['n_train'] == 3
    # no test split asked for: none left on disk
    build_demo_digits(root, n_train=3, n_val=1, n_test=0)
    assert _count(root)['test'] == (0, 0)


def test_damaged_or_extra_files_are_rebuilt(tmp_path):
    root = str(tmp_path / 'data')
    meta = build_demo_digits(root, **SMALL)
    clean = files_sha256(root)
    assert meta['files_sha256'] == clean
    label = sorted(glob.glob(f'{root}/gtFine/test/*/*.png'))[0]
    os.remove(label)
    extra = f'{root}/leftImg8bit/train/digits/old_000009_leftImg8bit.png'
    with open(extra, 'wb') as f:
        f.write(b'stale')
    assert build_demo_digits(root, **SMALL) == meta
    assert files_sha256(root) == clean
    assert osp.isfile(label) and not osp.exists(extra)


def test_an_interrupted_build_is_not_reused(tmp_path):
    root = str(tmp_path / 'data')
    build_demo_digits(root, **SMALL)
    # a build killed half-way: meta.json is removed first and written
    # last, so what is on disk is not trusted
    os.remove(f'{root}/meta.json')
    stray = f'{root}/gtFine/val/digits/half_000001_gtFine_labelTrainIds.png'
    open(stray, 'wb').close()
    meta = build_demo_digits(root, **SMALL)
    assert not osp.exists(stray)
    assert json.load(open(f'{root}/meta.json')) == meta


def test_folders_it_did_not_write_are_left_alone(tmp_path):
    root = tmp_path / 'cityscapes'
    mine = root / 'leftImg8bit' / 'train' / 'aachen' / 'a_leftImg8bit.png'
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b'user data')
    with pytest.raises(FileExistsError, match='did not write'):
        build_demo_digits(str(root), **SMALL)
    assert mine.read_bytes() == b'user data'


def test_digit_pools_are_disjoint_and_seeded():
    pools = digit_pools(0)
    sizes = {k: len(v) for k, v in pools.items()}
    assert sizes == dict(train=1078, val=180, test=539)
    assert len(set().union(*map(set, pools.values()))) == 1797
    assert digit_pools(0) == pools and digit_pools(1) != pools
