"""tools/demo.py's flags: the demo's own defaults (quick or full) and
``--cfg-options`` parsed by MMEngine's DictAction, as MMSeg's tools do
(the runs themselves: tests/e2e/test_demo_quick.py)."""
import runpy
import sys

from gdkd_seg.demo.pipeline import DEFAULTS, STUDENTS
from tests.conftest import REPO


def run_cli(monkeypatch, *args):
    """``main()`` of tools/demo.py with ``run_demo`` replaced: the
    settings it would run."""
    module = runpy.run_path(str(REPO / 'tools' / 'demo.py'),
                            run_name='demo_cli')
    got = {}
    module['main'].__globals__['run_demo'] = (
        lambda settings, export: got.update(settings=settings,
                                            export=export))
    monkeypatch.setattr(sys, 'argv', ['demo.py', *args])
    module['main']()
    return got['settings']


def test_quick_defaults_and_cfg_options(monkeypatch, tmp_path):
    settings = run_cli(
        monkeypatch, '--quick', '--work-dir', str(tmp_path), '--seeds', '5',
        '--cfg-options', 'optim_wrapper.optimizer.lr=0.01',
        'model.distill_losses.0.k=[2,3]', 'env_cfg.cudnn_benchmark=True')
    assert settings.cfg_options == {
        'optim_wrapper.optimizer.lr': 0.01,
        'model.distill_losses.0.k': [2, 3],
        'env_cfg.cudnn_benchmark': True}
    assert settings.seeds == [5]
    assert settings.iters == DEFAULTS['quick']['iters'] == 4
    assert settings.data == dict(DEFAULTS['quick']['data'], seed=0)
    assert settings.methods == list(STUDENTS)
    assert settings.work_dir == str(tmp_path)


def test_full_defaults(monkeypatch, tmp_path):
    settings = run_cli(monkeypatch, '--work-dir', str(tmp_path),
                       '--methods', 'baseline', 'gdkd', '--data-seed', '3')
    full = DEFAULTS['full']
    assert settings.seeds == full['seeds'] and settings.cfg_options == {}
    # docs "Demo": 16 seeds x 250 iterations, 500 val images
    assert settings.seeds == list(range(16))
    assert (settings.iters, settings.teacher_iters) == (250, 3000)
    assert settings.data == dict(n_train=300, n_val=500, n_test=1000,
                                 seed=3)
    assert settings.methods == ['baseline', 'gdkd']
    assert settings.split == 'test'


def test_full_default_methods_and_split(monkeypatch, tmp_path):
    # the primaries' methods only; DKD and GDKD+LS with --methods
    settings = run_cli(monkeypatch, '--work-dir', str(tmp_path),
                       '--split', 'val')
    assert settings.methods == ['baseline', 'kd', 'gdkd']
    assert settings.split == 'val'
