"""Bad inputs stop ``tools/train.py`` with a clear error (or train to a
finite result), and nothing already in the work dir is lost.

The runs are in-process (``call_tool``): each stops before or at the first
iteration, so a subprocess's start-up would dominate.
"""
import shutil

import cv2
import numpy as np
import pytest
import torch
from mmseg.registry import MODELS

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from gdkd_seg.models.distillers import SegDistiller
from gdkd_seg.models.distillers.base import load_model_cfg
from tests.conftest import REPO, call_tool

CONFIG = str(REPO / 'tests' / 'configs' / 'tiny_gdkd.py')
TINY = str(REPO / 'tests' / 'configs' / 'tiny_teacher.py')


@pytest.fixture
def work_dir(tmp_path):
    """A work dir holding an earlier run's files, which must survive."""
    path = tmp_path / 'work'
    path.mkdir()
    (path / 'iter_2.pth').write_bytes(b'earlier checkpoint')
    (path / 'last_checkpoint').write_text(str(path / 'iter_2.pth'))
    return path


def snapshot(path):
    return {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}


def assert_kept(path, before):
    """The earlier files are byte-identical and no checkpoint was added
    (new logs and the config dump are fine)."""
    after = snapshot(path)
    assert {k: after.get(k) for k in before} == before
    assert not [k for k in after if k.endswith('.pth') and k not in before]


def train(work_dir, teacher_ckpt, *options, data=None, monkeypatch=None):
    if data is not None:
        monkeypatch.setenv('GDKD_TINY_DATA', str(data))
    return call_tool('train.py', CONFIG, '--work-dir', str(work_dir),
                     '--cfg-options', f'model.teacher_ckpt={teacher_ckpt}',
                     'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
                     'param_scheduler.0.end=2', *options)


def relabel(src, dst, fn):
    """A copy of the tiny dataset with ``fn`` applied to each label map."""
    shutil.copytree(src, dst)
    for png in dst.glob('gtFine/*/*/*_labelTrainIds.png'):
        label = cv2.imread(str(png), cv2.IMREAD_UNCHANGED)
        cv2.imwrite(str(png), fn(label).astype(np.uint8))
    return dst


def psp_checkpoint(path):
    cfg = load_model_cfg(TINY)
    cfg.decode_head = dict(
        type='PSPHead', in_channels=64, in_index=3, channels=16,
        pool_scales=(1, 2), num_classes=19,
        norm_cfg=dict(type='BN', requires_grad=True))
    torch.save({'state_dict': MODELS.build(cfg).state_dict()}, path)
    return str(path)


def nan_teacher(src, path):
    ckpt = torch.load(src)
    ckpt['state_dict']['decode_head.conv_seg.bias'][3] = float('nan')
    torch.save(ckpt, path)
    return str(path)


CASES = {
    'class_count': (['model.student.decode_head.num_classes=11',
                     'model.student.auxiliary_head.num_classes=11'],
                    ValueError, 'teacher predicts 19 classes, student 11'),
    'unknown_loss': (['model.distill_losses.0.type=NoSuchLoss'], KeyError,
                     "'NoSuchLoss' is not registered"),
    'k_ge_C': (['model.distill_losses.0.k=19'], ValueError,
               r'GDKD needs 1 <= k < C, got k=19 with C=19 classes'),
    'negative_weight': (['model.distill_losses.0.w1=-1.0'], ValueError,
                        'w1'),
    'temperature_0': (['model.distill_losses.0.temperature=0.0'],
                      ValueError, 'temperature'),
}


@pytest.mark.parametrize('case', list(CASES))
def test_bad_model_config(case, work_dir, tiny_cityscapes,
                          tiny_teacher_ckpt, monkeypatch):
    options, error, match = CASES[case]
    before = snapshot(work_dir)
    with pytest.raises(error, match=match):
        train(work_dir, tiny_teacher_ckpt, *options, data=tiny_cityscapes,
              monkeypatch=monkeypatch)
    assert_kept(work_dir, before)


@pytest.mark.parametrize('case', ['missing', 'other_arch', 'nan_logits'])
def test_bad_teacher_checkpoint(case, work_dir, tmp_path, tiny_cityscapes,
                                tiny_teacher_ckpt, monkeypatch):
    if case == 'missing':
        ckpt, error = str(tmp_path / 'nope.pth'), FileNotFoundError
        match = 'teacher checkpoint not found'
    elif case == 'other_arch':
        ckpt, error = psp_checkpoint(tmp_path / 'psp.pth'), ValueError
        match = 'does not match the teacher config'
    else:
        ckpt = nan_teacher(tiny_teacher_ckpt, tmp_path / 'nan.pth')
        error = FloatingPointError
        match = (r'loss_gdkd.* at iteration 1: teacher logits contain '
                 'NaN/inf')
    before = snapshot(work_dir)
    with pytest.raises(error, match=match):
        train(work_dir, ckpt, data=tiny_cityscapes, monkeypatch=monkeypatch)
    # a NaN teacher stops before any weight update or checkpoint
    assert_kept(work_dir, before)


def test_missing_and_empty_data_root(work_dir, tmp_path, tiny_teacher_ckpt,
                                     monkeypatch):
    before = snapshot(work_dir)
    with pytest.raises(FileNotFoundError, match='nowhere'):
        train(work_dir, tiny_teacher_ckpt, data=tmp_path / 'nowhere',
              monkeypatch=monkeypatch)
    empty = tmp_path / 'empty'
    for split in ('train', 'val'):
        (empty / 'leftImg8bit' / split).mkdir(parents=True)
        (empty / 'gtFine' / split).mkdir(parents=True)
    with pytest.raises(RuntimeError,
                       match=r'a dataset is empty .* train_dataloader: '
                       r'CityscapesDataset with data_root=.*empty'):
        train(work_dir, tiny_teacher_ckpt, data=empty,
              monkeypatch=monkeypatch)
    assert_kept(work_dir, before)


def test_labels_outside_the_classes(work_dir, tmp_path, tiny_cityscapes,
                                    tiny_teacher_ckpt, monkeypatch):
    def add_bad(label):
        label[10:12, 20:30] = 33  # a Cityscapes labelId, not a trainId
        return label

    data = relabel(tiny_cityscapes, tmp_path / 'bad', add_bad)
    before = snapshot(work_dir)
    with pytest.raises(ValueError,
                       match=r'labels \[33\] at iteration 1 are outside '
                       r'\[0, 19\) and not the ignore index 255'):
        train(work_dir, tiny_teacher_ckpt, data=data,
              monkeypatch=monkeypatch)
    assert_kept(work_dir, before)


def test_all_ignored_batches_train_to_finite_weights(
        tmp_path, tiny_cityscapes, tiny_teacher_ckpt, monkeypatch):
    data = relabel(tiny_cityscapes, tmp_path / 'ignored',
                   lambda label: np.full_like(label, 255))
    seen = []
    original = SegDistiller.loss

    def recording(self, *args, **kwargs):
        losses = original(self, *args, **kwargs)
        seen.append({k: float(v) for k, v in losses.items()})
        return losses

    monkeypatch.setattr(SegDistiller, 'loss', recording)
    work = tmp_path / 'work'
    train(work, tiny_teacher_ckpt, data=data, monkeypatch=monkeypatch)
    assert len(seen) == 2
    for losses in seen:
        assert losses['loss_gdkd'] == losses['aux.loss_gdkd'] == 0.0
        assert all(np.isfinite(v) for v in losses.values()), losses
    state = load_mmengine_checkpoint(str(work / 'iter_2.pth'))['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values()
               if v.is_floating_point())
