"""The demo's shipped teacher: small, loads strictly into its config, and
scores on the default benchmark's held-out test split what teacher.json
records (the command there regenerates both)."""
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from gdkd_seg.demo import build_demo_digits
from gdkd_seg.demo.pipeline import (TEACHER_CKPT, TEACHER_CONFIG,
                                    TEACHER_INFO, sha256)


@pytest.fixture(scope='module')
def info():
    with open(TEACHER_INFO) as f:
        return json.load(f)


def test_small_and_strict(info):
    assert osp.getsize(TEACHER_CKPT) <= 5 * 2**20
    assert sha256(TEACHER_CKPT) == info['sha256']  # the file it describes
    assert info['config'] == 'configs/demo/plainnet32_teacher_digits.py'
    assert '--export-teacher' in info['command']
    state = torch.load(TEACHER_CKPT, map_location='cpu',
                       weights_only=True)['state_dict']
    from mmseg.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmseg')
    model = MODELS.build(Config.fromfile(TEACHER_CONFIG).model)
    model.load_state_dict(state, strict=True)  # every key, every shape


def test_scores_the_recorded_test_miou(info, tmp_path):
    data = str(tmp_path / 'data')
    args = dict(info['data'])
    args.pop('version')
    meta = build_demo_digits(data, **args)
    assert meta['args'] == info['data']  # the benchmark it was scored on
    cfg = Config.fromfile(TEACHER_CONFIG)
    cfg.merge_from_dict({f'{k}_dataloader.dataset.data_root': data
                         for k in ('train', 'val', 'test')})
    cfg.merge_from_dict(dict(load_from=TEACHER_CKPT,
                             work_dir=str(tmp_path / 'eval')))
    runner = Runner.from_cfg(cfg)
    test = runner.test()['mIoU']
    # 2 decimals as IoUMetric rounds; other CPUs may flip a few pixels
    assert test == pytest.approx(info['test_miou'], abs=0.05)
