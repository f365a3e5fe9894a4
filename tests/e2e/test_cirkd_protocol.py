"""CIRKD's protocol end to end, as a user runs it: CIRKD checkpoints
(a teacher and an ImageNet student backbone, from our reference of
CIRKD's models) converted by tools/convert_cirkd.py, then tools/train.py
on a shrunk protocol config (tests/configs/tiny_cirkd_gdkd.py): the
converted weights load, the best-mIoU checkpoint is kept, and a run
stopped after 2 iterations resumes to 4 with the best kept across."""
import re

import torch

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from tests.conftest import call_tool, run_tool
from tests.models import cirkd_reference as ref

CFG = 'tests/configs/tiny_cirkd_gdkd.py'


def converted_checkpoints(root):
    """Tiny CIRKD checkpoints saved as CIRKD saves them, converted by the
    CLI against the tiny configs: (teacher, student backbone)."""
    teacher = ref.randomize(
        ref.CIRKDSegModel('deeplabv3', 101, 16, base=8, stem=16), seed=0)
    torch.save(teacher.state_dict(), root / 'cirkd_teacher.pth')
    imagenet = ref.randomize(ref.CIRKDSegModel('deeplabv3', 18, 16, base=8,
                                               stem=16), seed=1).pretrained
    state = dict(imagenet.state_dict(), **{
        'fc.weight': torch.zeros(1000, 64), 'fc.bias': torch.zeros(1000)})
    torch.save(state, root / 'cirkd_resnet18.pth')
    call_tool('convert_cirkd.py', str(root / 'cirkd_teacher.pth'),
              str(root / 'teacher.pth'), '--config',
              'tests/configs/tiny_cirkd_teacher.py')
    # a distillation config as target: its student's backbone
    call_tool('convert_cirkd.py', str(root / 'cirkd_resnet18.pth'),
              str(root / 'resnet18.pth'), '--config', CFG)
    return root / 'teacher.pth', root / 'resnet18.pth'


def val_mious(log: str):
    """(iteration, mIoU) of each validation in a training log."""
    found = re.findall(r'Iter\(val\) \[\d+/\d+\].*?mIoU: ([0-9.]+)', log)
    return [float(m) for m in found]


def test_converted_teacher_trains_keeps_best_and_resumes(
        tmp_path, tiny_cityscapes):
    teacher, backbone = converted_checkpoints(tmp_path)
    work = tmp_path / 'work'
    env = {'GDKD_TINY_DATA': tiny_cityscapes, 'OMP_NUM_THREADS': '1'}
    args = ['tools/train.py', CFG, '--work-dir', str(work), '--cfg-options',
            f'model.teacher_ckpt={teacher}',
            f'model.student.pretrained={backbone}', 'randomness.seed=0']
    first = run_tool(*args, 'train_cfg.max_iters=2', env=env)
    log = first.stdout + first.stderr
    assert f'load model from: {backbone}' in log  # the ImageNet backbone
    mious = val_mious(log)
    assert len(mious) == 1
    assert [p.name for p in work.glob('best_mIoU_iter_*.pth')] == [
        'best_mIoU_iter_2.pth']
    state = load_mmengine_checkpoint(str(work / 'best_mIoU_iter_2.pth'),
                                     logger='silent')
    assert state['meta']['iter'] == 2
    assert all(k.startswith('student.') for k in state['state_dict'])

    second = run_tool(*args, '--resume', env=env)
    log = second.stdout + second.stderr
    assert 'resumed' in log.lower() and 'iter_2.pth' in log
    mious += val_mious(log)
    assert len(mious) == 2  # iteration 4 only: nothing re-run
    assert (work / 'iter_4.pth').is_file()
    assert not (work / 'iter_2.pth').exists()  # max_keep_ckpts=1
    # the best score came back with the resume: a tie at iteration 4
    # keeps iteration 2 (rule 'greater'), a better score replaces it
    top = 4 if mious[1] > mious[0] else 2
    assert [p.name for p in work.glob('best_mIoU_iter_*.pth')] == [
        f'best_mIoU_iter_{top}.pth']
    last = load_mmengine_checkpoint(str(work / 'iter_4.pth'),
                                    logger='silent')
    info = last['message_hub']['runtime_info']
    assert abs(info['best_score'] - max(mious)) < 5e-3  # logs round to 2
    assert info['best_ckpt'].endswith(f'best_mIoU_iter_{top}.pth')
