"""Atomic, durable writes and the choice of the checkpoint to resume
from: a write that fails (or is killed) before the rename leaves the old
file, and nothing cut short is ever picked."""
import os
import subprocess
import sys
import zipfile

import pytest
import torch

import gdkd_seg.checkpoint.atomic_io as atomic_io
from gdkd_seg.checkpoint.atomic_io import (atomic_torch_save,
                                           atomic_write_text,
                                           remove_stale_temporaries,
                                           temporary_name)
from gdkd_seg.checkpoint.latest import newest_complete_checkpoint


def test_write_goes_through_an_fsynced_temporary_then_a_rename(
        tmp_path, monkeypatch):
    path = tmp_path / 'iter_2.pth'
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(('fsync', os.readlink(f'/proc/self/fd/{fd}')))
        real_fsync(fd)

    def replace(src, dst):
        assert os.path.dirname(src) == os.path.dirname(dst)  # same folder
        events.append(('replace', os.path.basename(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(atomic_io.os, 'fsync', fsync)
    monkeypatch.setattr(atomic_io.os, 'replace', replace)
    atomic_torch_save({'w': torch.ones(2)}, str(path))
    temporary = temporary_name(str(path))
    assert events == [('fsync', temporary), ('replace', 'iter_2.pth'),
                      ('fsync', str(tmp_path))]
    assert torch.load(path)['w'].sum() == 2
    assert os.listdir(tmp_path) == ['iter_2.pth']


def test_failure_between_write_and_rename_keeps_the_old_file(
        tmp_path, monkeypatch):
    path = tmp_path / 'iter_2.pth'
    torch.save({'w': torch.zeros(2)}, path)
    before = path.read_bytes()

    def killed(src, dst):
        assert os.path.getsize(src) > 0  # the new file was written
        raise OSError('killed before the rename')

    monkeypatch.setattr(atomic_io.os, 'replace', killed)
    with pytest.raises(OSError, match='killed'):
        atomic_torch_save({'w': torch.ones(2)}, str(path))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ['iter_2.pth']  # temporary removed
    with pytest.raises(ZeroDivisionError):
        atomic_write_text(str(tmp_path / 'last_checkpoint'), str(1 / 0))
    assert os.listdir(tmp_path) == ['iter_2.pth']


def test_temporaries_of_dead_writers_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, '-c', 'import os; '
                           'print(os.getpid())'], capture_output=True,
                          text=True).stdout.strip()
    ours = temporary_name(str(tmp_path / 'iter_4.pth'))
    stale = ours.replace(f'-{os.getpid()}', f'-{dead}')
    other_host = ours.replace(atomic_io._HOST, 'elsewhere')
    for name in (ours, stale, other_host, str(tmp_path / 'iter_2.pth')):
        open(name, 'w').close()
    assert remove_stale_temporaries(str(tmp_path)) == [stale]
    assert sorted(os.listdir(tmp_path)) == sorted(
        os.path.basename(p) for p in (ours, other_host, 'iter_2.pth'))


def save(path, step):
    torch.save({'meta': {'iter': step}}, path)
    return str(path)


def test_resume_picks_the_newest_complete_checkpoint(tmp_path):
    two = save(tmp_path / 'iter_2.pth', 2)
    four = save(tmp_path / 'iter_4.pth', 4)
    (tmp_path / 'last_checkpoint').write_text(two)
    # killed after iter_4.pth was renamed into place, before
    # last_checkpoint was rewritten
    assert newest_complete_checkpoint(str(tmp_path)) == four
    # a checkpoint cut short (written without the atomic rename) is not
    # complete: its zip directory, written last, is missing
    data = (tmp_path / 'iter_6.pth')
    data.write_bytes(open(four, 'rb').read()[:-100])
    assert not zipfile.is_zipfile(data)
    assert newest_complete_checkpoint(str(tmp_path)) == four
    # an emptied last_checkpoint (killed while MMEngine rewrote it)
    (tmp_path / 'last_checkpoint').write_text('')
    assert newest_complete_checkpoint(str(tmp_path)) == four
    # temporaries and other names are not checkpoints
    save(temporary_name(str(tmp_path / 'iter_8.pth')), 8)
    save(tmp_path / 'best_mIoU_iter_8.pth', 8)
    assert newest_complete_checkpoint(str(tmp_path)) == four
    assert newest_complete_checkpoint(str(tmp_path / 'none')) is None


def test_an_unnumbered_last_checkpoint_stands(tmp_path):
    save(tmp_path / 'iter_2.pth', 2)
    mine = save(tmp_path / 'final.pth', 9)
    (tmp_path / 'last_checkpoint').write_text(mine)
    assert newest_complete_checkpoint(str(tmp_path)) == mine
    assert newest_complete_checkpoint(
        str(tmp_path), templates=('final.pth', )) == mine
