"""GDKDRunner formats its config's text once per content
(:class:`RunConfig`), and that text is MMEngine's own."""
import copy

from mmengine.config import Config
from mmengine.registry import RUNNERS

import mmengine.config.config as config_module
from gdkd_seg.engine.runners.gdkd_runner import RunConfig
from tests.conftest import REPO

CONFIG = str(REPO / 'tests' / 'configs' / 'tiny_gdkd.py')


def count_formatting(monkeypatch):
    calls = []
    format_code = config_module.FormatCode

    def counted(*args, **kwargs):
        calls.append(1)
        return format_code(*args, **kwargs)

    monkeypatch.setattr(config_module, 'FormatCode', counted)
    return calls


def test_text_is_mmengines_and_follows_changes(monkeypatch):
    cfg = Config.fromfile(CONFIG)
    run_cfg = RunConfig.of(copy.deepcopy(cfg))
    calls = count_formatting(monkeypatch)
    text = cfg.pretty_text
    assert run_cfg.pretty_text == text
    # a deep copy (what MMEngine's Runner keeps) shares the kept text
    kept = copy.deepcopy(run_cfg)
    assert type(kept) is RunConfig
    assert kept.dump() == kept.pretty_text == text
    assert len(calls) == 2  # the plain Config once, ours once
    for change in (lambda c: c.merge_from_dict({'train_cfg.max_iters': 7}),
                   lambda c: setattr(c, 'work_dir', '/elsewhere')):
        change(kept), change(cfg)
        assert kept.pretty_text == cfg.pretty_text


def test_runner_formats_the_config_once_as_it_starts(
        monkeypatch, tmp_path, tiny_cityscapes, tiny_teacher_ckpt):
    monkeypatch.setenv('GDKD_TINY_DATA', tiny_cityscapes)
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict({'model.teacher_ckpt': tiny_teacher_ckpt})
    cfg.work_dir = str(tmp_path)
    calls = count_formatting(monkeypatch)
    # starting logs the config and hands it to the visualizer
    runner = RUNNERS.build(cfg)
    assert isinstance(runner.cfg, RunConfig)
    assert len(calls) == 1
    assert runner.cfg.pretty_text == Config.pretty_text.fget(runner.cfg)
