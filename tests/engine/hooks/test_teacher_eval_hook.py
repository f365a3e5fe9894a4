"""TeacherEvalHook's cache: keyed by the teacher's content, written
atomically, recomputed (with a warning) when it cannot be read. The
hook's evaluation itself runs for real in tests/e2e/test_resume.py."""
import json
import logging
import os

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config

import gdkd_seg.checkpoint.atomic_io as atomic_io
from gdkd_seg.engine.hooks.teacher_eval_hook import TeacherEvalHook


class Runner:
    """What the hook reads from MMEngine's runner."""

    def __init__(self, work_dir, teacher):
        self.model = nn.Module()
        self.model.teacher = teacher
        self.val_loop = object()
        self.work_dir = str(work_dir)
        self.cfg = Config(dict(model=dict(teacher_ckpt='teacher.pth'),
                               val_dataloader=dict(batch_size=1)))
        self.logger = logging.getLogger('teacher-eval-test')


@pytest.fixture
def evaluations(monkeypatch):
    """Each evaluation, recorded; the teacher's 'mIoU' is its weight."""
    calls = []

    def evaluate(runner, teacher):
        calls.append(1)
        return dict(mIoU=float(teacher.weight.sum()))

    monkeypatch.setattr(TeacherEvalHook, '_evaluate',
                        staticmethod(evaluate))
    return calls


def teacher(value):
    model = nn.Linear(1, 1, bias=False)
    nn.init.constant_(model.weight, value)
    return model


def test_cache_is_reused_for_the_same_teacher(tmp_path, evaluations):
    hook = TeacherEvalHook(min_metrics=dict(mIoU=70))
    hook.before_train(Runner(tmp_path, teacher(80)))
    hook.before_train(Runner(tmp_path, teacher(80)))  # a resumed run
    assert len(evaluations) == 1
    cached = json.loads((tmp_path / 'teacher_eval.json').read_text())
    assert cached['metrics'] == dict(mIoU=80.0)
    assert len(cached['teacher_sha256']) == 64


def test_a_teacher_replaced_at_the_same_path_is_evaluated_again(
        tmp_path, evaluations):
    hook = TeacherEvalHook(min_metrics=dict(mIoU=70))
    hook.before_train(Runner(tmp_path, teacher(80)))
    with pytest.raises(RuntimeError, match=r"'mIoU': \(0.0, 70\)"):
        hook.before_train(Runner(tmp_path, teacher(0)))  # same path
    assert len(evaluations) == 2


@pytest.mark.parametrize('content', [
    '{"teacher_sha256": "ab", "metr',  # cut short
    '[1, 2]', '{"teacher_sha256": "%s", "metrics": "x"}', '\x00\xff'])
def test_a_cache_that_cannot_be_read_is_recomputed(tmp_path, evaluations,
                                                   content, caplog):
    hook = TeacherEvalHook()
    runner = Runner(tmp_path, teacher(80))
    hook.before_train(runner)
    key = json.loads((tmp_path / 'teacher_eval.json').read_text())[
        'teacher_sha256']
    (tmp_path / 'teacher_eval.json').write_text(
        content.replace('%s', key))
    with caplog.at_level(logging.WARNING, logger='teacher-eval-test'):
        hook.before_train(runner)
    assert 'ignoring the teacher cache' in caplog.text
    assert len(evaluations) == 2
    assert json.loads((tmp_path / 'teacher_eval.json').read_text())[
        'metrics'] == dict(mIoU=80.0)


def test_the_cache_is_replaced_atomically(tmp_path, evaluations,
                                          monkeypatch):
    hook = TeacherEvalHook()
    hook.before_train(Runner(tmp_path, teacher(80)))
    before = (tmp_path / 'teacher_eval.json').read_bytes()

    def killed(src, dst):
        raise OSError('killed before the rename')

    monkeypatch.setattr(atomic_io.os, 'replace', killed)
    with pytest.raises(OSError, match='killed'):
        hook.before_train(Runner(tmp_path, teacher(50)))
    assert (tmp_path / 'teacher_eval.json').read_bytes() == before
    assert os.listdir(tmp_path) == ['teacher_eval.json']


def test_the_key_covers_every_weight_and_the_validation_setup(tmp_path):
    from gdkd_seg.engine.hooks.teacher_eval_hook import teacher_key
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    runner = Runner(tmp_path, model)
    key = teacher_key(model, runner)
    assert teacher_key(model, runner) == key
    with torch.no_grad():
        model[1].running_var[0] += 1e-7  # a buffer, one value, one ulp
    assert teacher_key(model, runner) != key
    key = teacher_key(model, runner)
    runner.cfg.val_dataloader.batch_size = 2
    assert teacher_key(model, runner) != key
