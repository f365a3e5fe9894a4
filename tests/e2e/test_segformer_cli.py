"""A tiny SegFormer (MiT 16 wide) teacher distilled into a tiny SegFormer
(MiT 8 wide) with our shipped GDKD3 SegFormer config (shrunk by a test
config that inherits it) through tools/train.py, tools/test.py and
tools/extract_student.py; the export loads and predicts in plain MMSeg."""
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from tests.conftest import REPO, make_tiny_teacher_ckpt, run_tool

CFG = 'tests/configs/tiny_segformer_gdkd3.py'
PLAIN = 'tests/configs/tiny_segformer.py'  # the student, undistilled


@pytest.fixture(scope='module')
def run(tiny_cityscapes, tmp_path_factory):
    root = tmp_path_factory.mktemp('segformer')
    teacher = make_tiny_teacher_ckpt(str(root / 'teacher.pth'),
                                     config='tiny_segformer_teacher.py')
    env = {'GDKD_TINY_DATA': tiny_cityscapes}
    run_tool('tools/train.py', CFG, '--work-dir', str(root / 'work'),
             '--cfg-options', f'model.teacher_ckpt={teacher}',
             'train_cfg.max_iters=3', 'train_cfg.val_interval=3',
             'default_hooks.checkpoint.interval=3', env=env)
    return dict(root=root, env=env, data=tiny_cityscapes)


def test_train_distils_the_decode_head_only(run):
    work = run['root'] / 'work'
    ckpt = load_mmengine_checkpoint(str(work / 'iter_3.pth'))
    keys = list(ckpt['state_dict'])
    assert keys and all(k.startswith('student.') for k in keys)
    assert any('backbone.layers.3' in k for k in keys)  # a MiT
    log = sorted(work.glob('*/vis_data/scalars.json'))[-1]
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    train = [r for r in rows if 'loss_gdkd3' in r]
    assert len(train) == 3
    for key in ('loss_gdkd3', 'gdkd3_high', 'gdkd3_low_top2k',
                'gdkd3_low_other', 'decode.loss_ce'):
        assert all(np.isfinite(r[key]) and r[key] >= 0 for r in train), key
    assert not any(k.startswith('aux') for r in train for k in r)
    assert any('mIoU' in r for r in rows)


def test_test_export_and_plain_mmseg_inference(run, tmp_path):
    from mmseg.apis import inference_model, init_model
    work, env = run['root'] / 'work', run['env']
    run_tool('tools/test.py', CFG, str(work / 'iter_3.pth'), '--work-dir',
             str(tmp_path / 'test'), '--out', str(tmp_path / 'pred'),
             env=env)
    student = tmp_path / 'student.pth'
    run_tool('tools/extract_student.py', str(work / 'iter_3.pth'),
             str(student))
    # plain MMSeg: strict load of the export into the student's config,
    # then MMSeg's own inference (slide windows) on the val images
    model = init_model(str(REPO / PLAIN), str(student), device='cpu')
    state = torch.load(student, map_location='cpu')['state_dict']
    model.load_state_dict(state, strict=True)
    preds = sorted((tmp_path / 'pred').glob('**/*.png'))
    assert len(preds) == 2
    for pred in preds:
        matches = list(Path(run['data']).glob(
            f'leftImg8bit/val/*/{pred.stem}*.png'))
        assert len(matches) == 1, pred.name
        result = inference_model(model, str(matches[0]))
        got = result.pred_sem_seg.data[0].numpy()
        want = cv2.imread(str(pred), cv2.IMREAD_UNCHANGED)
        assert got.shape == want.shape == (64, 128)
        assert np.array_equal(got, want)
