"""SafeSaveHook on real MMEngine runs (a one-layer model): checkpoints a
plain ``torch.load`` reads, exact restore on resume, the old checkpoint
kept until the new one is in place (max_keep_ckpts, save_best), and
resume from the newest complete checkpoint."""
import copy
import os
import subprocess
import sys
import uuid

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.dataset import pseudo_collate
from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.hooks import Hook
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import DataLoader

import gdkd_seg  # noqa: F401  (registers the hooks)
import gdkd_seg.engine.hooks.safe_save_hook as safe_save_hook
from gdkd_seg.checkpoint.atomic_io import temporary_name
from tests.checkpoint.test_plain_data import same

HOOKS = ('SafeLoadHook', 'SafeSaveHook', 'RNGStateHook')


class ToyModel(BaseModel):
    """One linear layer and dropout: MMEngine's runner needs no more."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)
        self.drop = nn.Dropout(0.5)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.drop(self.linear(torch.stack(inputs)))  # (N, 1)
        if mode == 'loss':
            return dict(loss=out.pow(2).mean())
        return list(out)


class RisingScore(BaseMetric):
    """A validation score that improves at every evaluation, a
    ``numpy.float32`` as MMSeg's ``IoUMetric`` returns it (the mean of
    float32 arrays): ``save_best`` keeps it in the message hub of every
    later checkpoint."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def process(self, data_batch, data_samples):
        self.results.append(0)

    def compute_metrics(self, results):
        self.calls += 1
        return dict(acc=np.float32(self.calls))


class Probe(Hook):
    """Records what the work dir holds when a save starts, the message
    hub a resumed run starts from and (``late``) each checkpoint."""

    def __init__(self):
        self.at_save, self.saved, self.resumed = [], {}, None
        self.late = Hook()
        self.late.before_save_checkpoint = self._keep

    def before_save_checkpoint(self, runner, checkpoint):
        self.at_save.append(sorted(os.listdir(runner.work_dir)))

    def _keep(self, runner, checkpoint):
        self.saved[checkpoint['meta']['iter']] = copy.deepcopy(checkpoint)

    def before_train(self, runner):  # after load_or_resume
        self.resumed = copy.deepcopy(runner.message_hub.state_dict())


def toy_runner(work_dir, max_iters=4, checkpoint=None, val=False,
               hooks=HOOKS, probe=None, **kwargs):
    """A real MMEngine run; ``probe`` sees the work dir when each save
    starts and the message hub after the resume (first of all hooks),
    and each checkpoint as the other hooks made it (just before
    SafeSaveHook turns it into plain data)."""
    torch.manual_seed(0)
    # 8 batches: no epoch end in 8 iterations (MMEngine sleeps 2 s there)
    data = [dict(inputs=torch.randn(2)) for _ in range(16)]
    loader = dict(batch_size=2, collate_fn=pseudo_collate)
    extra = {}
    if val:
        extra = dict(val_dataloader=DataLoader(data[:2], **loader),
                     val_cfg=dict(), val_evaluator=Evaluator(RisingScore()))
    runner = Runner(
        model=ToyModel(), work_dir=str(work_dir),
        experiment_name=uuid.uuid4().hex,
        train_dataloader=DataLoader(data, shuffle=True, **loader),
        train_cfg=dict(by_epoch=False, max_iters=max_iters,
                       val_interval=2),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1,
                                          momentum=0.9)),
        param_scheduler=dict(type='LinearLR', by_epoch=False, begin=0,
                             end=4),
        default_hooks=dict(checkpoint=dict(
            type='CheckpointHook', by_epoch=False, interval=2,
            **(checkpoint or {}))),
        custom_hooks=[dict(type=h) for h in hooks],
        randomness=dict(seed=0), log_level='WARNING', **extra, **kwargs)
    if probe is not None:
        runner.register_hook(probe, priority='HIGHEST')
        runner.register_hook(probe.late, priority=95)  # LOWEST is 100
    return runner


def test_checkpoints_load_with_plain_torch_load_and_resume_exactly(
        tmp_path):
    probe = Probe()
    toy_runner(tmp_path, probe=probe).train()
    # torch's default load, nothing allow-listed (a fresh process without
    # gdkd_seg: tests/e2e/test_plain_checkpoints.py)
    assert HistoryBuffer not in torch.serialization.get_safe_globals()
    plain = torch.load(tmp_path / 'iter_2.pth')
    assert {'message_hub', 'rng_state', 'optimizer'} <= set(plain)
    saved = probe.saved[2]
    resumer = Probe()
    runner = toy_runner(tmp_path / 'resumed', probe=resumer,
                        load_from=str(tmp_path / 'iter_2.pth'), resume=True)
    runner.train()
    # the message hub as it was saved: HistoryBuffers, numpy scalars,
    # dtypes and bits (the config text is the resumed run's own)
    hub = saved['message_hub']
    hub['runtime_info'].pop('cfg')
    resumed = resumer.resumed
    assert resumed['runtime_info'].pop('cfg') == runner.cfg.pretty_text
    same(resumed, hub)
    assert isinstance(resumed['runtime_info']['eta'], np.float64)
    # the random states RNGStateHook restored, and the end result
    same(resumer.saved[4]['rng_state'], probe.saved[4]['rng_state'])
    for key in ('state_dict', 'optimizer', 'param_schedulers'):
        same(resumer.saved[4][key], probe.saved[4][key], key)


def fail_on(monkeypatch, name):
    """Make the rename of the checkpoint ``name`` fail (a kill between
    its write and its rename)."""
    real = safe_save_hook.replace_durably

    def replace(temporary, path):
        assert os.path.getsize(temporary) > 0
        if os.path.basename(path) == name:
            raise OSError(f'killed before renaming {name}')
        real(temporary, path)

    monkeypatch.setattr(safe_save_hook, 'replace_durably', replace)


def last_checkpoint(work_dir):
    return os.path.basename((work_dir / 'last_checkpoint').read_text())


def test_max_keep_ckpts_deletes_the_old_checkpoint_last(tmp_path,
                                                        monkeypatch):
    probe = Probe()
    toy_runner(tmp_path / 'full', max_iters=6, probe=probe,
               checkpoint=dict(max_keep_ckpts=1)).train()
    # when each save starts, the previous checkpoint is still there
    assert [[n for n in names if n.endswith('.pth')]
            for names in probe.at_save] == [[], ['iter_2.pth'],
                                            ['iter_4.pth']]
    assert sorted(os.listdir(tmp_path / 'full'))[-2:] == [
        'iter_6.pth', 'last_checkpoint']
    # a failure between the write and the rename of iter_4.pth
    work = tmp_path / 'cut'
    fail_on(monkeypatch, 'iter_4.pth')
    with pytest.raises(OSError, match='killed before renaming'):
        toy_runner(work, max_iters=6,
                   checkpoint=dict(max_keep_ckpts=1)).train()
    names = sorted(os.listdir(work))
    assert [n for n in names if n.endswith('.pth')] == ['iter_2.pth']
    assert not [n for n in names if '.tmp-' in n]
    assert last_checkpoint(work) == 'iter_2.pth'
    monkeypatch.undo()
    runner = toy_runner(work, max_iters=6, resume=True,
                        checkpoint=dict(max_keep_ckpts=1))
    runner.train()
    assert runner.iter == 6 and last_checkpoint(work) == 'iter_6.pth'


def test_save_best_keeps_the_previous_best_until_the_new_one_is_in(
        tmp_path, monkeypatch):
    best = dict(save_best='acc', rule='greater')
    probe = Probe()
    toy_runner(tmp_path / 'full', val=True, probe=probe,
               checkpoint=best).train()
    names = set(os.listdir(tmp_path / 'full'))
    assert {'best_acc_iter_4.pth', 'iter_4.pth'} <= names
    assert 'best_acc_iter_2.pth' not in names  # deleted, after
    # the numpy.float32 best score is plain data: torch's default load
    # needs no numpy dtype class allow-listed ...
    assert type(probe.saved[4]['message_hub']['runtime_info'][
        'best_score']) is np.float32
    assert np.dtypes.Float32DType not in \
        torch.serialization.get_safe_globals()
    for name in ('best_acc_iter_4.pth', 'iter_4.pth'):
        torch.load(tmp_path / 'full' / name, weights_only=True)
    # ... and a resumed run gets it back as it was (type and value)
    resumer = Probe()
    toy_runner(tmp_path / 'resumed', val=True, probe=resumer,
               checkpoint=best, resume=True,
               load_from=str(tmp_path / 'full' / 'best_acc_iter_4.pth')
               ).train()
    same(resumer.resumed['runtime_info']['best_score'], np.float32(2))
    work = tmp_path / 'cut'
    fail_on(monkeypatch, 'best_acc_iter_4.pth')
    with pytest.raises(OSError, match='killed before renaming'):
        toy_runner(work, val=True, checkpoint=best).train()
    assert 'best_acc_iter_2.pth' in os.listdir(work)
    assert not [n for n in os.listdir(work) if '.tmp-' in n]
    best_file = torch.load(work / 'best_acc_iter_2.pth')  # plain data
    assert best_file['meta']['iter'] == 2


def test_resume_without_a_file_takes_the_newest_complete_checkpoint(
        tmp_path):
    toy_runner(tmp_path).train()
    # killed after iter_4.pth was renamed, before last_checkpoint moved;
    # and a temporary file left by a killed save
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    dead = subprocess.run([sys.executable, '-c', 'import os; '
                           'print(os.getpid())'], capture_output=True,
                          text=True).stdout.strip()
    stale = temporary_name(str(tmp_path / 'iter_6.pth')).replace(
        f'-{os.getpid()}', f'-{dead}')
    open(stale, 'wb').close()
    probe = Probe()
    runner = toy_runner(tmp_path, max_iters=6, resume=True, probe=probe)
    runner.train()
    assert probe.resumed['runtime_info']['iter'] == 3  # saved at iter 4
    assert not os.path.exists(stale)
    # an emptied last_checkpoint (killed while MMEngine rewrote it)
    (tmp_path / 'last_checkpoint').write_text('')
    probe = Probe()
    toy_runner(tmp_path, max_iters=8, resume=True, probe=probe).train()
    assert probe.resumed['runtime_info']['iter'] == 5  # saved at iter 6
