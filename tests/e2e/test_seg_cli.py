"""End to end through the real CLI on a tiny Cityscapes-layout dataset:
a teacher trained by plain MMSeg, our distillation config (shrunk by a
test config that inherits from it), test, export, resume."""
import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

import mmseg
from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from tests.conftest import REPO, run_tool

MMSEG_TRAIN = str(Path(mmseg.__file__).parent / '.mim' / 'tools' /
                  'train.py')
CFG = 'tests/configs/tiny_gdkd.py'


@pytest.fixture(scope='module')
def runs(tiny_cityscapes, tmp_path_factory):
    """Teacher by MMSeg's own tools/train.py, then our distillation."""
    root = tmp_path_factory.mktemp('runs')
    env = {'GDKD_TINY_DATA': tiny_cityscapes}
    run_tool(MMSEG_TRAIN, 'tests/configs/tiny_teacher.py', '--work-dir',
             str(root / 'teacher'), env=env)
    teacher_ckpt = root / 'teacher' / 'iter_4.pth'
    assert teacher_ckpt.is_file()
    train = run_tool('tools/train.py', CFG, '--work-dir',
                     str(root / 'gdkd'), '--cfg-options',
                     f'model.teacher_ckpt={teacher_ckpt}', env=env)
    return dict(root=root, env=env, teacher_ckpt=str(teacher_ckpt),
                train=train)


def scalars(work_dir: Path):
    files = sorted(work_dir.glob('*/vis_data/scalars.json'))
    assert files, f'no scalars.json under {work_dir}'
    return [json.loads(line) for line in files[-1].read_text().splitlines()]


def miou(output: str) -> float:
    found = re.findall(r'mIoU: ([0-9.]+)', output)
    assert found, output[-3000:]
    return float(found[-1])


def test_train_writes_student_only_checkpoints_and_logs_terms(runs):
    work = runs['root'] / 'gdkd'
    ckpt = load_mmengine_checkpoint(str(work / 'iter_4.pth'))
    keys = list(ckpt['state_dict'])
    assert keys and all(k.startswith('student.') for k in keys)
    # the tiny teacher and student share an architecture: a checkpoint
    # that carried the teacher would hold twice the teacher's tensors
    teacher = load_mmengine_checkpoint(str(runs['teacher_ckpt']))
    assert len(keys) == len(teacher['state_dict'])
    log = scalars(work)
    train_rows = [r for r in log if 'loss_gdkd' in r]
    assert len(train_rows) == 4
    for key in ('gdkd_high', 'gdkd_low_top', 'gdkd_low_other',
                'aux.loss_gdkd', 'decode.loss_ce'):
        assert all(np.isfinite(r[key]) for r in train_rows), key
    assert any('mIoU' in r for r in log)  # validation ran


def test_test_reports_miou_and_export_predicts_the_same(runs, tmp_path):
    work, env = runs['root'] / 'gdkd', runs['env']
    out = run_tool('tools/test.py', CFG, str(work / 'iter_4.pth'),
                   '--work-dir', str(tmp_path / 'test'), '--out',
                   str(tmp_path / 'pred_distiller'), env=env)
    value = miou(out.stdout + out.stderr)
    assert 0 <= value <= 100
    student = tmp_path / 'student.pth'
    run_tool('tools/extract_student.py', str(work / 'iter_4.pth'),
             str(student))
    # plain MMSeg loads the export strictly into the student config
    from mmseg.apis import init_model
    model = init_model(str(REPO / 'tests/configs/tiny_teacher.py'),
                       device='cpu')
    state = torch.load(student, map_location='cpu')['state_dict']
    model.load_state_dict(state, strict=True)
    # ...and the plain student config evaluates it to the same predictions
    out2 = run_tool('tools/test.py', 'tests/configs/tiny_teacher.py',
                    str(student), '--work-dir', str(tmp_path / 'test2'),
                    '--out', str(tmp_path / 'pred_student'), env=env)
    assert miou(out2.stdout + out2.stderr) == value
    preds = sorted((tmp_path / 'pred_distiller').glob('**/*.png'))
    assert len(preds) == 2
    for p in preds:
        other = tmp_path / 'pred_student' / p.relative_to(
            tmp_path / 'pred_distiller')
        assert np.array_equal(cv2.imread(str(p)), cv2.imread(str(other)))


def test_resume_continues_from_the_last_checkpoint(runs, tmp_path):
    import shutil
    work = tmp_path / 'gdkd'
    shutil.copytree(runs['root'] / 'gdkd', work)
    out = run_tool('tools/train.py', CFG, '--work-dir', str(work),
                   '--resume', '--cfg-options',
                   f"model.teacher_ckpt={runs['teacher_ckpt']}",
                   'train_cfg.max_iters=6', 'train_cfg.val_interval=6',
                   env=runs['env'])
    text = out.stdout + out.stderr
    assert 'resumed epoch: 0, iter: 4' in text
    assert (work / 'iter_6.pth').is_file()
    assert 'Iter(train) [5/6]' in text and 'Iter(train) [1/6]' not in text


def test_user_config_inheriting_ours_changes_the_loss(runs, tmp_path):
    """The README example: a config that inherits ours and swaps the
    loss (and schedule) without touching our files."""
    cfg = tmp_path / 'my_kd.py'
    cfg.write_text(
        f"_base_ = ['{REPO / CFG}']\n"
        'model = dict(distill_losses=[dict(type=\'KDLoss\', '
        'temperature=2.0)], aux_distill_weight=0.0)\n'
        'train_cfg = dict(max_iters=2, val_interval=2)\n')
    run_tool('tools/train.py', str(cfg), '--work-dir',
             str(tmp_path / 'kd'), '--cfg-options',
             f"model.teacher_ckpt={runs['teacher_ckpt']}",
             env=runs['env'])
    rows = [r for r in scalars(tmp_path / 'kd') if 'loss_kd' in r]
    assert len(rows) == 2
    assert not any('loss_gdkd' in r or 'aux.loss_kd' in r for r in rows)


def test_missing_teacher_checkpoint_fails_before_training(runs, tmp_path):
    out = run_tool('tools/train.py', CFG, '--work-dir', str(tmp_path),
                   '--cfg-options', 'model.teacher_ckpt=/no/such.pth',
                   env=runs['env'], check=False)
    assert out.returncode != 0
    assert 'teacher checkpoint not found: /no/such.pth' in out.stderr
    assert 'Iter(train)' not in out.stdout + out.stderr
