"""The plot helpers and CLIs write non-empty images with the right
content (the plotted data read back from the figures); the distribution
maths is checked by hand."""
import matplotlib.image as mpimg
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from gdkd_seg.analysis.prediction_grid import colorize, plot_prediction_grid
from gdkd_seg.analysis.teacher_distribution import (
    accumulate, class_mean_distribution, drop_top1, plot_teacher_distribution)
from tests.conftest import run_tool


def _assert_png(path, min_side=100):
    img = mpimg.imread(str(path))
    assert img.ndim == 3 and min(img.shape[:2]) >= min_side
    assert img[..., :3].std() > 0.01  # not blank


@pytest.fixture
def saved_figures(monkeypatch):
    """The figures the code under test saves, kept for inspection."""
    figures = []
    save = Figure.savefig

    def keep(fig, *args, **kwargs):
        figures.append(fig)
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, 'savefig', keep)
    return figures


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


def test_plot_teacher_distribution(tmp_path, saved_figures):
    """Columns: the 4 classes with the most samples; top row: the mean
    distribution with the top-k bars red; bottom row: without top-1."""
    rng = np.random.default_rng(0)
    mean = rng.dirichlet(np.ones(11), size=11)
    out = plot_teacher_distribution(
        mean, [f'c{i}' for i in range(11)], str(tmp_path / 'd.png'),
        counts=np.arange(11), k=3)
    _assert_png(out)
    fig, = saved_figures
    axes = np.array(fig.axes).reshape(2, -1)
    assert [ax.get_title() for ax in axes[0]] == [
        f'c{c} (n={c})' for c in (10, 9, 8, 7)]
    red = to_rgba('tab:red')
    for col, c in enumerate((10, 9, 8, 7)):
        order = np.argsort(-mean[c])
        top, bars = axes[0, col].patches, axes[1, col].patches
        np.testing.assert_allclose([b.get_height() for b in top], mean[c])
        assert {i for i, b in enumerate(top)
                if b.get_facecolor() == red} == set(order[:3])
        rest = mean[c].copy()
        rest[order[0]] = 0
        np.testing.assert_allclose([b.get_height() for b in bars],
                                   rest / rest.sum())
        assert axes[1, col].get_title() == f'top-1 (c{order[0]}) removed'


def test_plot_prediction_grid(tmp_path, saved_figures):
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (16, 32, 3), dtype=np.uint8)
              for _ in range(2)]
    maps = [rng.integers(0, 3, (16, 32)) for _ in range(2)]
    palette = [[0, 0, 0], [255, 0, 0], [0, 255, 0]]
    preds = [(m + 1) % 3 for m in maps]
    out = plot_prediction_grid(images, [('gt', maps), ('model', preds)],
                               palette, str(tmp_path / 'g.png'),
                               ['a', 'b', 'c'])
    _assert_png(out)
    # rows: images; columns: image | gt | model, each in its palette
    fig, = saved_figures
    axes = np.array(fig.axes).reshape(2, 3)
    assert [ax.get_title() for ax in axes[0]] == ['image', 'gt', 'model']
    lut = np.array(palette, np.uint8)
    for r in range(2):
        shown = [np.asarray(ax.images[0].get_array()) for ax in axes[r]]
        np.testing.assert_array_equal(shown[0], images[r])
        np.testing.assert_array_equal(shown[1], lut[maps[r]])
        np.testing.assert_array_equal(shown[2], lut[preds[r]])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        'a', 'b', 'c', 'ignore']
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
