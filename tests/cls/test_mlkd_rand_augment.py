"""MLKDRandAugment: the strong view of MLKD's two-view training."""
import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS

import gdkd_seg.cls  # noqa: F401  (registrations)
from gdkd_seg.cls.mlkd_rand_augment import (OPS,
                                                            MLKDRandAugment)

# the op table of the official code (mdistiller/dataset/cifar100.py,
# augment_list): name -> magnitude range
UPSTREAM = {
    'AutoContrast': (0, 1), 'Brightness': (0.05, 0.95),
    'Color': (0.05, 0.95), 'Contrast': (0.05, 0.95), 'Equalize': (0, 1),
    'Identity': (0, 1), 'Posterize': (4, 8), 'Rotate': (-30, 30),
    'Sharpness': (0.05, 0.95), 'ShearX': (-0.3, 0.3),
    'ShearY': (-0.3, 0.3), 'Solarize': (0, 256),
    'TranslateX': (-0.3, 0.3), 'TranslateY': (-0.3, 0.3)
}


def image(seed=0, size=(32, 32)):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (*size, 3), dtype=np.uint8)


def test_op_table_and_sampling():
    assert {k: (v[1], v[2]) for k, v in OPS.items()} == UPSTREAM
    t = TRANSFORMS.build(dict(type='MLKDRandAugment'))
    np.random.seed(0)
    draws = [t.draw() for _ in range(3000)]
    assert all(len(d) == 2 for d in draws)
    seen = {}
    for name, value in (op for d in draws for op in d):
        seen.setdefault(name, []).append(value)
        low, high = UPSTREAM[name]
        assert low <= value < high, (name, value)
    assert set(seen) == set(UPSTREAM)  # all 14, drawn with replacement
    assert any(d[0][0] == d[1][0] for d in draws)
    # magnitudes spread over the whole range (uniform, not a fixed m)
    rot = np.array(seen['Rotate'])
    assert rot.min() < -25 and rot.max() > 25


@pytest.mark.parametrize('order', ['rgb', 'bgr'])
def test_cutout_fill_and_geometry(order, monkeypatch):
    """Identity ops, then a Cutout whose side and centre are fixed: the
    square [x0, x1] x [y0, y1] (PIL's inclusive corners) is filled with
    the RGB colour (in BGR order for BGR images); nothing else moves."""
    t = MLKDRandAugment(channel_order=order)
    monkeypatch.setattr(t, 'draw', lambda: [('Identity', 0.)] * 2)
    draws = iter([0.5, 0.25, 0.75])  # side 0.25 x 32 = 8; centre draws
    monkeypatch.setattr(np.random, 'rand', lambda: next(draws))
    img = image()
    out = t.transform(dict(img=img.copy()))['img']
    cx, cy = 32 - 31 * 0.25, 32 - 31 * 0.75  # upstream uniform(w): (1, w]
    x0, y0 = int(cx - 4), int(cy - 4)
    box = np.zeros((32, 32), bool)
    box[y0:int(y0 + 8) + 1, x0:int(x0 + 8) + 1] = True
    fill = [125, 123, 114] if order == 'rgb' else [114, 123, 125]
    assert (out[box] == fill).all()
    np.testing.assert_array_equal(out[~box], img[~box])


def test_strong_view_changes_the_image_and_keeps_its_format():
    t = MLKDRandAugment(channel_order='bgr')
    np.random.seed(1)
    changed = 0
    for seed in range(20):
        img = image(seed, size=(24, 40))
        out = t(dict(img=img.copy()))['img']
        assert out.shape == img.shape and out.dtype == np.uint8
        assert out.flags.c_contiguous
        changed += not np.array_equal(out, img)
    assert changed >= 15
    np.random.seed(3)
    a = t(dict(img=image()))['img']
    np.random.seed(3)
    b = t(dict(img=image()))['img']
    assert np.array_equal(a, b)  # numpy's seeded RNG only


def test_colour_ops_see_rgb():
    """Color (saturation) weighs R, G, B unequally: a BGR image gives the
    RGB result with its channels reversed."""
    img = image(5)
    rgb = MLKDRandAugment(cutout_max=0)
    bgr = MLKDRandAugment(cutout_max=0, channel_order='bgr')
    for t in (rgb, bgr):
        t.draw = lambda: [('Color', 0.3)]
    a = rgb.transform(dict(img=img.copy()))['img']
    b = bgr.transform(dict(img=img[..., ::-1].copy()))['img']
    np.testing.assert_array_equal(a, b[..., ::-1])
    assert not np.array_equal(
        a, rgb.transform(dict(img=img[..., ::-1].copy()))['img'][..., ::-1])


def test_bad_arguments():
    with pytest.raises(ValueError, match='channel_order'):
        MLKDRandAugment(channel_order='hsv')
    with pytest.raises(ValueError, match='uint8'):
        MLKDRandAugment()(dict(img=np.zeros((4, 4), np.uint8)))
