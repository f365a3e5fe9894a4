"""What ``tools/train.py`` writes is plain data: its own ``iter_N.pth``
loads wherever MMSeg loads a checkpoint, with torch's default safe
``torch.load`` and nothing of ours, and resuming from a crafted copy never
runs the config text it carries, on every path a run can take."""
import os
import runpy
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
import torch

import mmseg
from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from tests.conftest import REPO, call_tool

CFG = 'tests/configs/tiny_gdkd.py'
PLAIN = str(REPO / 'tests' / 'configs' / 'tiny_teacher.py')  # = student
MMSEG_TOOLS = Path(mmseg.__file__).parent / '.mim' / 'tools'
ITERS = 2


def train_options(teacher_ckpt, iters=ITERS):
    return ['--cfg-options', f'model.teacher_ckpt={teacher_ckpt}',
            f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            f'default_hooks.checkpoint.interval={iters}',
            f'param_scheduler.0.end={iters}']


@contextmanager
def isolated(data_root):
    """``GDKD_TINY_DATA`` set, and MMEngine's current default scope and
    message hub put back afterwards (a module fixture runs outside
    conftest's per-test isolation)."""
    from mmengine.logging import MessageHub
    from mmengine.registry import DefaultScope
    saved = {cls: dict(cls._instance_dict)
             for cls in (DefaultScope, MessageHub)}
    with mock.patch.dict(os.environ, GDKD_TINY_DATA=data_root):
        try:
            yield
        finally:
            for cls, instances in saved.items():
                cls._instance_dict.clear()
                cls._instance_dict.update(instances)


@pytest.fixture(scope='module')
def run(tiny_cityscapes, tiny_teacher_ckpt, tmp_path_factory):
    """One real distillation run of tools/train.py (2 iterations, in
    this process: the seconds of a fresh interpreter saved) and its
    export."""
    root = tmp_path_factory.mktemp('plain')
    with isolated(tiny_cityscapes):
        call_tool('train.py', CFG, '--work-dir', str(root / 'work'),
                  *train_options(tiny_teacher_ckpt))
    ckpt = root / 'work' / f'iter_{ITERS}.pth'
    student = root / 'student.pth'
    call_tool('extract_student.py', str(ckpt), str(student))
    return dict(root=root, ckpt=str(ckpt), student=str(student),
                teacher=tiny_teacher_ckpt, data=tiny_cityscapes)


def test_the_run_wrote_plain_checkpoints(run):
    # the in-process run is the run tools/train.py makes (its hooks)
    log = next((run['root'] / 'work').glob('*/*.log')).read_text()
    assert 'SafeSaveHook' in log and 'SafeLoadHook' in log


def test_plain_torch_load_in_a_process_without_gdkd_seg(run):
    code = textwrap.dedent('''
        import sys, torch
        for path in sys.argv[1:]:
            ckpt = torch.load(path)  # weights_only, torch's default
            print(path, sorted(ckpt))
        # nothing of ours, and no HistoryBuffer to allow-list
        assert not any(m.startswith(('gdkd_seg', 'mmengine'))
                       for m in sys.modules), 'imported more than torch'
        print('PLAIN_OK')
    ''')
    proc = subprocess.run(
        [sys.executable, '-c', code, run['ckpt'], run['student']],
        cwd=run['root'], capture_output=True, text=True, timeout=300,
        env={'PATH': '/usr/bin:/bin', 'OMP_NUM_THREADS': '1'})
    assert 'PLAIN_OK' in proc.stdout, proc.stderr[-3000:]
    assert "['message_hub', 'meta', 'optimizer', 'param_schedulers', " \
        "'rng_state', 'state_dict']" in proc.stdout
    assert "student.pth ['meta', 'state_dict']" in proc.stdout


def test_mmseg_apis_load_the_run_checkpoint(run):
    """init_model + inference_model and MMSegInferencer on the run's own
    checkpoint (MMSeg's loading: a plain torch.load) hold its weights and
    predict. (That a distillation checkpoint predicts what its export
    predicts under the plain config: tests/e2e/test_inference_apis.py.)"""
    from mmseg.apis import MMSegInferencer, inference_model, init_model
    images = sorted(str(p) for p in Path(run['data']).glob(
        'leftImg8bit/val/*/*.png'))
    saved = load_mmengine_checkpoint(run['ckpt'])['state_dict']
    model = init_model(CFG, run['ckpt'], device='cpu')
    inferencer = MMSegInferencer(model=CFG, weights=run['ckpt'],
                                 device='cpu')
    for loaded in (model, inferencer.model):
        assert loaded._teacher is None
        for key, value in loaded.state_dict().items():
            assert torch.equal(value, saved[key]), key
    results = (inference_model(model, images),
               inferencer(images, return_datasamples=True))
    for result in results:
        assert [r.pred_sem_seg.shape for r in result] == [(64, 128)] * 2


def run_mmseg_tool(name, *args):
    """MMSeg's own ``tools/<name>`` (shipped in the mmseg package), run
    in this process as ``python tools/<name> args`` would."""
    with mock.patch.object(sys, 'argv', [name, *args]):
        runpy.run_path(str(MMSEG_TOOLS / name), run_name='__main__')


def test_mmseg_test_tool_loads_the_run_checkpoint_without_our_hooks(
        run, tmp_path, monkeypatch, capsys):
    """MMSeg's tools/test.py on the distillation config with our hooks and
    runner switched off: MMEngine's own load_from, a plain torch.load."""
    monkeypatch.setenv('GDKD_TINY_DATA', run['data'])
    run_mmseg_tool('test.py', CFG, run['ckpt'], '--work-dir',
                   str(tmp_path), '--cfg-options', 'custom_hooks=[]',
                   'runner_type=Runner')
    log = next(tmp_path.glob('*/*.log')).read_text()
    assert 'SafeLoadHook' not in log and 'mIoU' in log


# --- resuming never runs what a checkpoint carries ----------------------
def payload(marker: Path) -> str:
    """Config text that touches ``marker`` when MMEngine evaluates it."""
    return f"__import__('pathlib').Path({str(marker)!r}).touch()\n"


@pytest.fixture
def crafted(run, tmp_path):
    """The run's checkpoint with config text that would run code in
    meta['config'] (what MMEngine's resume evaluates), meta['cfg'] and
    the message hub's 'cfg'."""
    ckpt = torch.load(run['ckpt'])
    markers = {key: tmp_path / f'ran_{key}' for key in ('config', 'cfg',
                                                         'hub_cfg')}
    ckpt['meta']['config'] = payload(markers['config'])
    ckpt['meta']['cfg'] = payload(markers['cfg'])
    ckpt['message_hub']['runtime_info']['cfg'] = payload(markers['hub_cfg'])
    work = tmp_path / 'work'
    work.mkdir()
    path = work / f'iter_{ITERS}.pth'
    torch.save(ckpt, path)
    (work / 'last_checkpoint').write_text(str(path))
    return dict(path=str(path), work=work, markers=markers)


def from_cfg(cfg_path, work, teacher, load_from):
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(str(REPO / cfg_path))
    cfg.merge_from_dict(dict(model=dict(teacher_ckpt=teacher)))
    cfg.work_dir, cfg.resume, cfg.load_from = str(work), True, load_from
    cfg.train_cfg.max_iters = ITERS  # the checkpoint's: resume, no step
    Runner.from_cfg(cfg).train()


PATHS = ['--resume FILE', '--resume (last_checkpoint)', 'load_from',
         "MMSeg's tools/train.py --resume", 'Runner.from_cfg']


@pytest.mark.parametrize('path', PATHS)
def test_resume_never_runs_checkpoint_config_text(run, crafted, path,
                                                  monkeypatch):
    monkeypatch.setenv('GDKD_TINY_DATA', run['data'])
    work, ckpt = str(crafted['work']), crafted['path']
    options = train_options(run['teacher'])
    if path == '--resume FILE':
        call_tool('train.py', CFG, '--work-dir', work, '--resume', ckpt,
                  *options)
    elif path == '--resume (last_checkpoint)':
        call_tool('train.py', CFG, '--work-dir', work, '--resume', *options)
    elif path == 'load_from':  # a new run from the weights: 1 iteration
        call_tool('train.py', CFG, '--work-dir', work,
                  *train_options(run['teacher'], iters=1),
                  f'load_from={ckpt}')
    elif path.startswith('MMSeg'):
        run_mmseg_tool('train.py', CFG, '--work-dir', work, '--resume',
                       *options, f'load_from={ckpt}')
    else:
        from_cfg(CFG, work, run['teacher'], ckpt)
    assert not [m.name for m in crafted['markers'].values() if m.exists()]
    log = next(crafted['work'].glob('*/*.log')).read_text()
    assert "dropped meta['config']" in log
    if path != 'load_from':
        assert f'resumed epoch: 0, iter: {ITERS}' in log
