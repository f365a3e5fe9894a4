"""Our ``tools/train.py``, MMSeg's own ``tools/train.py`` (shipped inside
the mmseg package; what ``mim train mmseg`` runs) and a bare
``Runner.from_cfg(cfg).train()`` give the same run on our configs: same
hooks, and bitwise the same weights, optimizer state and random states
after a few deterministic iterations. Everything a run needs comes from
the config's shared base (configs/_base_/default_runtime.py)."""
from pathlib import Path

import mmseg
import pytest
import torch

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint

from tests.conftest import REPO, run_tool

MMSEG_TRAIN = str(Path(mmseg.__file__).parent / '.mim' / 'tools' /
                  'train.py')
CFG = str(REPO / 'tests' / 'configs' / 'tiny_gdkd.py')
ITERS = 3
# MMEngine's own entry point, no tool: config, work dir, --cfg-options
FROM_CFG = """
import argparse
from mmengine.config import Config, DictAction
from mmengine.runner import Runner
parser = argparse.ArgumentParser()
parser.add_argument('config')
parser.add_argument('work_dir')
parser.add_argument('options', nargs='+', action=DictAction)
args = parser.parse_args()
cfg = Config.fromfile(args.config)
cfg.merge_from_dict(args.options)
cfg.work_dir = args.work_dir
Runner.from_cfg(cfg).train()
"""


def options(teacher_ckpt):
    # dropout and random flips on: the random streams must match too
    return [f'model.teacher_ckpt={teacher_ckpt}',
            f'train_cfg.max_iters={ITERS}',
            f'train_cfg.val_interval={ITERS}',
            f'default_hooks.checkpoint.interval={ITERS}',
            f'param_scheduler.0.end={ITERS}', 'randomness.seed=0',
            'randomness.deterministic=True']


def hooks_in_log(work_dir):
    text = next(work_dir.glob('*/*.log')).read_text()
    return {name for name in ('RNGStateHook', 'DataCheckHook',
                              'GlooDrainHook', 'TeacherEvalHook')
            if name in text.split('Hooks will be executed')[1]}


def assert_same_checkpoints(a, b):
    a = load_mmengine_checkpoint(str(a))
    b = load_mmengine_checkpoint(str(b))
    assert a['meta']['iter'] == b['meta']['iter'] == ITERS
    assert a['state_dict'].keys() == b['state_dict'].keys()
    for key, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][key]), key
    for idx, state in a['optimizer']['state'].items():
        for name, value in state.items():
            assert torch.equal(value, b['optimizer']['state'][idx][name])
    # RNGStateHook (from the base config) wrote the random states
    assert torch.equal(a['rng_state']['torch'], b['rng_state']['torch'])
    return a, b


@pytest.fixture
def env(tiny_cityscapes):
    # one intra-op thread: oneDNN's threaded reductions may change the
    # last bits between any two runs
    return {'GDKD_TINY_DATA': tiny_cityscapes, 'OMP_NUM_THREADS': '1'}


def test_ours_mmseg_and_runner_from_cfg_train_the_same(
        tmp_path, env, tiny_teacher_ckpt):
    opts = options(tiny_teacher_ckpt)
    ours, theirs, bare = (tmp_path / n for n in ('ours', 'mmseg', 'bare'))
    run_tool('tools/train.py', CFG, '--work-dir', str(ours),
             '--cfg-options', *opts, env=env)
    run_tool(MMSEG_TRAIN, CFG, '--work-dir', str(theirs), '--cfg-options',
             *opts, env=env)
    run_tool('-c', FROM_CFG, CFG, str(bare), *opts, env=env)
    base_hooks = {'RNGStateHook', 'DataCheckHook', 'GlooDrainHook'}
    for work in (ours, theirs, bare):
        assert hooks_in_log(work) == base_hooks, work
    ckpt = f'iter_{ITERS}.pth'
    assert_same_checkpoints(ours / ckpt, theirs / ckpt)
    assert_same_checkpoints(ours / ckpt, bare / ckpt)


def test_amp_flag_of_ours_and_mmseg_give_the_same_cpu_run(
        tmp_path, env, tiny_teacher_ckpt):
    """MMSeg's ``--amp`` asks for MMEngine's ``AmpOptimWrapper``, which
    refuses to run without a GPU; the config's runner turns it into bf16
    autocast, as our ``--amp`` does."""
    opts = options(tiny_teacher_ckpt)
    ours, theirs = tmp_path / 'ours', tmp_path / 'mmseg'
    run_tool('tools/train.py', CFG, '--amp', '--work-dir', str(ours),
             '--cfg-options', *opts, env=env)
    run_tool(MMSEG_TRAIN, CFG, '--amp', '--work-dir', str(theirs),
             '--cfg-options', *opts, env=env)
    ckpt = f'iter_{ITERS}.pth'
    a, b = assert_same_checkpoints(ours / ckpt, theirs / ckpt)
    for meta in (a['meta'], b['meta']):
        assert "type='AutocastOptimWrapper'" in meta['cfg']
        assert "dtype='bfloat16'" in meta['cfg']


def test_eval_teacher_flag_switches_the_config_hook_on(
        tmp_path, env, tiny_teacher_ckpt):
    opts = options(tiny_teacher_ckpt)
    opts[1:3] = ['train_cfg.max_iters=1', 'train_cfg.val_interval=1']
    run_tool('tools/train.py', CFG, '--eval-teacher', '--work-dir',
             str(tmp_path), '--cfg-options', *opts, env=env)
    assert 'TeacherEvalHook' in hooks_in_log(tmp_path)
    assert (tmp_path / 'teacher_eval.json').is_file()
