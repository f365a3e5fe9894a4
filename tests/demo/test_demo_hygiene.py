"""What keeps the demo's tables from going stale or wrong: the reuse key,
refused settings, incomplete results, the teacher's checks, and paths that
never become config source."""
import copy
import json

import numpy as np
import pytest
import torch
from mmengine.config import Config

from gdkd_seg.demo.jobs import Job, _spec, finished, write_json
from gdkd_seg.demo.pipeline import (CONFIGS, TEACHER_CKPT, TEACHER_INFO,
                                    DemoError, Settings, check_teacher_pools,
                                    config_sha256, run_demo, verify_teacher,
                                    versions)
from gdkd_seg.demo.report import analyse
from tests.conftest import call_tool

METHODS = ['baseline', 'kd', 'dkd', 'gdkd', 'gdkd_ls']
QUICK = dict(n_train=16, n_val=4, n_test=8, seed=0)


def _settings(work, **kwargs):
    return Settings(**dict(dict(work_dir=str(work), seeds=[0],
                                methods=['baseline', 'gdkd'], iters=4,
                                data=dict(QUICK), teacher_iters=8,
                                plots=False), **kwargs))


def test_duplicate_seeds_and_methods_are_refused(tmp_path):
    with pytest.raises(DemoError, match='seed 0 is given twice'):
        _settings(tmp_path, seeds=[0, 1, 0]).check()
    with pytest.raises(DemoError, match='method gdkd is given twice'):
        _settings(tmp_path, methods=['baseline', 'gdkd', 'gdkd']).check()
    _settings(tmp_path, seeds=[0, 1]).check()
    with pytest.raises(ValueError, match='duplicate seeds'):
        analyse({'baseline': [1.0, 2.0], 'gdkd': [2.0, 3.5]}, [4, 4])
    # the command refuses before it builds or runs anything
    work = tmp_path / 'w'
    with pytest.raises(SystemExit, match='seed 0 is given twice'):
        call_tool('demo.py', '--quick', '--seeds', '0', '0',
                  '--work-dir', str(work))
    assert not (work / 'data').exists()


def test_reuse_key_holds_everything_that_defines_a_run(demo_quick):
    work, _ = demo_quick
    meta = json.loads((work / 'data' / 'meta.json').read_text())
    shipped = json.loads(open(TEACHER_INFO).read())['sha256']
    for method in METHODS:
        stored = json.loads(
            (work / method / 'seed0' / 'result.json').read_text())
        spec = stored['job']
        assert finished(Job(**spec)) == stored  # the same run: reused
        ctx = spec['context']
        assert ctx['data'] == dict(args=meta['args'],
                                   files_sha256=meta['files_sha256'])
        assert ctx['versions'] == versions()
        assert len(ctx['config_sha256']) == 64
        if method == 'baseline':  # needs no teacher
            assert 'teacher_sha256' not in ctx
        else:
            assert ctx['teacher_sha256'] == shipped
        changes = [('seed', 7), ('iters', 5),
                   ('context.data.args.n_train', 17),
                   ('context.data.args.seed', 1),
                   ('context.data.files_sha256', '0' * 64),
                   ('context.config_sha256', '0' * 64),
                   ('context.versions.gdkd_seg', '0.0.0'),
                   ('context.versions.torch', '0.0.0')]
        if method != 'baseline':
            changes.append(('context.teacher_sha256', '0' * 64))
        for path, value in changes:
            other = copy.deepcopy(spec)
            *parents, last = path.split('.')
            node = other
            for key in parents:
                node = node[key]
            node[last] = value
            assert finished(Job(**other)) is None, (method, path)


def test_config_hash_follows_the_content(tmp_path):
    config = tmp_path / 'student.py'
    base = CONFIGS + '/plainnet16_baseline_digits.py'
    job = Job('baseline', str(config), 0, 4, str(tmp_path / 'run'))
    config.write_text(f'_base_ = [{base!r}]\n')
    plain = config_sha256(job, {})
    assert config_sha256(job, {}) == plain  # deterministic
    config.write_text(f'_base_ = [{base!r}]\n'
                      'optim_wrapper = dict(optimizer=dict(lr=2e-3))\n')
    assert config_sha256(job, {}) != plain
    # and the run's own options are part of it
    config.write_text(f'_base_ = [{base!r}]\n')
    assert config_sha256(Job('baseline', str(config), 0, 5,
                             str(tmp_path / 'run')), {}) != plain


def test_an_incomplete_result_is_not_reused(tmp_path):
    job = Job('baseline', 'student.py', 0, 4, str(tmp_path))
    write_json(str(tmp_path / 'result.json'),
               dict(job=_spec(job), test=1.0, val=2.0))
    assert finished(job)['test'] == 1.0
    text = (tmp_path / 'result.json').read_text()
    (tmp_path / 'result.json').write_text(text[:len(text) // 2])  # killed
    assert finished(job) is None
    assert not list(tmp_path.glob('*.tmp*'))


def test_a_changed_teacher_is_refused(tmp_path):
    verify_teacher(TEACHER_CKPT, TEACHER_INFO)  # the shipped one passes
    state = torch.load(TEACHER_CKPT, map_location='cpu', weights_only=True)
    state['state_dict']['decode_head.conv_seg.weight'].zero_()
    changed = tmp_path / 'teacher.pth'
    torch.save(state, changed)
    with pytest.raises(DemoError, match='is not the file .* describes'):
        verify_teacher(str(changed), TEACHER_INFO)
    # the demo refuses it before any work
    work = tmp_path / 'w'
    with pytest.raises(DemoError, match='changed or damaged'):
        run_demo(_settings(work, teacher_ckpt=str(changed)))
    assert not (work / 'data').exists()


def _pools_by_hand(seed):
    order = np.random.default_rng(seed).permutation(1797)
    a, b = round(0.6 * 1797), round(0.6 * 1797) + round(0.1 * 1797)
    return dict(train=order[:a], val=order[a:b], test=order[b:])


def test_held_out_digits_the_teacher_saw_are_refused(tmp_path):
    data = json.loads(open(TEACHER_INFO).read())['data']
    assert data['seed'] == 0
    check_teacher_pools(data, 0)  # its own benchmark: disjoint pools
    seen = set(_pools_by_hand(0)['train'].tolist())
    test = _pools_by_hand(1)['test']
    leaked = sum(int(i) in seen for i in test)
    assert 0.5 < leaked / len(test) < 0.7  # the 60 %
    with pytest.raises(DemoError,
                       match=f'seen {leaked} of the {len(test)} test digits'):
        check_teacher_pools(data, 1)
    work = tmp_path / 'w'
    with pytest.raises(SystemExit, match='--train-teacher'):
        call_tool('demo.py', '--quick', '--data-seed', '1', '--work-dir',
                  str(work))
    assert not (work / 'data').exists()


@pytest.mark.parametrize('name', sorted(
    p for p in __import__('os').listdir(CONFIGS) if p.endswith('.py')))
def test_paths_are_never_pasted_into_config_source(name, tmp_path,
                                                   monkeypatch):
    """A quote in a path (here in the environment variables the demo
    configs once pasted into their source) is data, never code."""
    marker = tmp_path / 'ran'
    payload = f'x\' + str(open("{marker}", "w").close()) + \''
    monkeypatch.setenv('GDKD_DEMO_DATA', payload)
    monkeypatch.setenv('GDKD_DEMO_TEACHER', payload)
    cfg = Config.fromfile(f'{CONFIGS}/{name}')
    assert not marker.exists()
    assert cfg.train_dataloader.dataset.data_root == 'data/demo_digits'
    if 'teacher_ckpt' in cfg.model:
        assert cfg.model.teacher_ckpt == \
            'configs/demo/teacher/plainnet32_teacher_digits.pth'


def test_one_demo_at_a_time_in_a_work_dir(tmp_path):
    from gdkd_seg.demo.pipeline import _lock
    work = tmp_path / 'w'
    work.mkdir()
    # (a teacher that would be refused anyway: nothing runs either way)
    settings = _settings(work, teacher_ckpt=str(tmp_path / 'none.pth'))
    with _lock(str(work)):
        with pytest.raises(DemoError, match='another demo is running in'):
            run_demo(settings)
    with pytest.raises(FileNotFoundError):  # free again: it gets further
        run_demo(settings)
