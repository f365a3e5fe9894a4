"""The plot helpers and CLIs write non-empty images with the right
content; the distribution maths is checked by hand."""
import matplotlib.image as mpimg
import numpy as np
import pytest
import torch

from gdkd_seg.analysis.prediction_grid import colorize, plot_prediction_grid
from gdkd_seg.analysis.teacher_distribution import (
    accumulate, class_mean_distribution, drop_top1, plot_teacher_distribution)
from tests.conftest import run_tool


def _assert_png(path, min_side=100):
    img = mpimg.imread(str(path))
    assert img.ndim == 3 and min(img.shape[:2]) >= min_side
    assert img[..., :3].std() > 0.01  # not blank


def test_class_mean_distribution_by_hand():
    logits = torch.tensor([[0.0, 0.0, 0.0], [2.0, 0.0, 0.0],
                           [0.0, 1.0, 0.0], [5.0, 5.0, 5.0]])
    labels = torch.tensor([0, 0, 2, 255])
    mean, count = class_mean_distribution(logits, labels)
    e = np.exp(2.0)
    expect0 = (np.array([1, 1, 1]) / 3 + np.array([e, 1, 1]) / (e + 2)) / 2
    np.testing.assert_allclose(mean[0], expect0)
    np.testing.assert_allclose(mean[1], 0)  # no sample of class 1
    np.testing.assert_allclose(mean[2], np.exp([0, 1, 0]) / (np.e + 2))
    assert count.tolist() == [2, 0, 1]


def test_segmentation_maps_use_class_axis():
    # H, W != C so a wrong axis cannot pass
    logits = torch.randn(2, 3, 4, 5)
    labels = torch.randint(0, 3, (2, 4, 5))
    mean, count = class_mean_distribution(logits, labels, temperature=2.0)
    flat = logits.permute(0, 2, 3, 1).reshape(-1, 3)
    p = torch.softmax(flat.double() / 2.0, 1)
    for c in range(3):
        sel = labels.reshape(-1) == c
        np.testing.assert_allclose(mean[c], p[sel].mean(0).numpy())
    assert count.sum() == 40
    np.testing.assert_allclose(mean[count > 0].sum(1), 1)


def test_accumulate_equals_one_pass():
    logits, labels = torch.randn(30, 4), torch.randint(0, 4, (30, ))
    m1, c1 = class_mean_distribution(logits[:10], labels[:10], 4)
    m2, c2 = class_mean_distribution(logits[10:], labels[10:], 4)
    m, c = accumulate(m1, c1, m2, c2)
    ref, ref_c = class_mean_distribution(logits, labels, 4)
    np.testing.assert_allclose(m, ref)
    assert (c == ref_c).all()


def test_drop_top1():
    np.testing.assert_allclose(drop_top1(np.array([0.1, 0.6, 0.3])),
                               [0.25, 0.0, 0.75])


def test_plot_teacher_distribution(tmp_path):
    rng = np.random.default_rng(0)
    mean = rng.dirichlet(np.ones(11), size=11)
    out = plot_teacher_distribution(
        mean, [f'c{i}' for i in range(11)], str(tmp_path / 'd.png'),
        counts=np.arange(11), k=3)
    _assert_png(out)


def test_plot_prediction_grid(tmp_path):
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (16, 32, 3), dtype=np.uint8)
              for _ in range(2)]
    maps = [rng.integers(0, 3, (16, 32)) for _ in range(2)]
    palette = [[0, 0, 0], [255, 0, 0], [0, 255, 0]]
    out = plot_prediction_grid(images, [('gt', maps), ('model', maps)],
                               palette, str(tmp_path / 'g.png'),
                               ['a', 'b', 'c'])
    _assert_png(out)
    painted = colorize(np.array([[0, 1], [2, 255]]), palette)
    assert painted.tolist() == [[[0, 0, 0], [255, 0, 0]],
                                [[0, 255, 0], [255, 255, 255]]]


@pytest.fixture(scope='module')
def trained_tiny_teacher(tmp_path_factory, tiny_cityscapes):
    """The 4-iteration tiny DeepLabV3 of tests/configs, trained once."""
    work = tmp_path_factory.mktemp('teacher')
    run_tool('tools/train.py', 'tests/configs/tiny_teacher.py',
             '--work-dir', str(work), env={'GDKD_TINY_DATA': tiny_cityscapes})
    return str(work / 'iter_4.pth')


def test_plot_clis_on_a_trained_model(trained_tiny_teacher, tiny_cityscapes,
                                      tmp_path):
    env = {'GDKD_TINY_DATA': tiny_cityscapes}
    dist = tmp_path / 'dist.png'
    run_tool('tools/analysis/plot_teacher_distribution.py',
             'tests/configs/tiny_teacher.py', trained_tiny_teacher,
             '--out', str(dist), '--classes', '0', '13', '--k', '2',
             env=env)
    _assert_png(dist)
    grid = tmp_path / 'grid.png'
    run_tool('tools/analysis/plot_predictions.py', '--out', str(grid),
             '--num-images', '2',
             '--model', 'teacher', 'tests/configs/tiny_teacher.py',
             trained_tiny_teacher,
             '--model', 'again', 'tests/configs/tiny_teacher.py',
             trained_tiny_teacher, env=env)
    _assert_png(grid)
