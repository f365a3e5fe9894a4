"""MMSeg's inference APIs on a distillation config and checkpoint give
the student's predictions, identical to the exported plain student's, and
never build or load the teacher (its checkpoint is a URL here: loading it
would need the network)."""
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

import gdkd_seg  # noqa: F401
import mmseg
from tests.conftest import REPO, run_tool

DISTILL = str(REPO / 'tests' / 'configs' / 'tiny_gdkd.py')
PLAIN = str(REPO / 'tests' / 'configs' / 'tiny_teacher.py')  # = student
MMSEG_TEST = str(Path(mmseg.__file__).parent / '.mim' / 'tools' /
                 'test.py')


def make_distill_ckpts(root: Path):
    """A distillation checkpoint as a run writes it (``student.*`` keys,
    class names in ``meta``; seeded random weights) and its export by
    tools/extract_student.py."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmseg.registry import MODELS
    from mmseg.utils import get_classes, get_palette
    torch.manual_seed(0)
    # a context, not init_default_scope: this runs in a module fixture,
    # outside the per-test isolation of MMEngine's globals (conftest), and
    # a scope left behind sends later MMPretrain builds to MMSeg's registry
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(Config.fromfile(DISTILL).model)
    assert model._teacher is None
    with torch.no_grad():  # predictions that vary across pixels
        model.student.decode_head.conv_seg.weight.normal_(0, 1)
    meta = dict(dataset_meta=dict(classes=get_classes('cityscapes'),
                                  palette=get_palette('cityscapes')))
    distill = root / 'distill.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=meta), distill)
    student = root / 'student.pth'
    run_tool('tools/extract_student.py', str(distill), str(student))
    return str(distill), str(student)


@pytest.fixture(scope='module')
def ckpts(tmp_path_factory):
    return make_distill_ckpts(tmp_path_factory.mktemp('ckpts'))


@pytest.fixture
def images(tiny_cityscapes):
    paths = sorted(Path(tiny_cityscapes).glob('leftImg8bit/val/*/*.png'))
    assert len(paths) == 2
    return [str(p) for p in paths]


def test_init_model_and_inference_model(ckpts, images):
    from mmseg.apis import inference_model, init_model
    distiller = init_model(DISTILL, ckpts[0], device='cpu')
    plain = init_model(PLAIN, ckpts[1], device='cpu')
    assert type(distiller).__name__ == 'SegDistiller'
    assert distiller.dataset_meta['classes'] == plain.dataset_meta[
        'classes']
    got = inference_model(distiller, images)
    want = inference_model(plain, images)
    assert distiller._teacher is None  # never built, never loaded
    for a, b in zip(got, want):
        assert torch.equal(a.seg_logits.data, b.seg_logits.data)
        assert torch.equal(a.pred_sem_seg.data, b.pred_sem_seg.data)
    # the logits are not constant: the comparison means something
    assert len(torch.unique(got[0].pred_sem_seg.data)) > 1


def test_mmseg_inferencer(ckpts, images):
    from mmseg.apis import MMSegInferencer
    distiller = MMSegInferencer(model=DISTILL, weights=ckpts[0],
                                device='cpu')
    plain = MMSegInferencer(model=PLAIN, weights=ckpts[1], device='cpu')
    got = distiller(images, return_datasamples=True)  # SegDataSamples
    want = plain(images, return_datasamples=True)
    assert len(got) == len(want) == 2
    assert distiller.model._teacher is None
    for a, b in zip(got, want):
        assert torch.equal(a.seg_logits.data, b.seg_logits.data)
        assert torch.equal(a.pred_sem_seg.data, b.pred_sem_seg.data)


def test_test_tool_tta_equals_mmseg_tta_of_the_export(ckpts, tmp_path,
                                                      tiny_cityscapes):
    """Ours with --tta on the distillation config vs MMSeg's own
    tools/test.py --tta on the plain student config and the export
    (MMSeg's Cityscapes TTA: 6 scales x 2 flips)."""
    env = {'GDKD_TINY_DATA': tiny_cityscapes}
    outs = {}
    for name, tool, cfg, ckpt in (
            ('distill', 'tools/test.py', DISTILL, ckpts[0]),
            ('plain', MMSEG_TEST, PLAIN, ckpts[1])):
        run_tool(tool, cfg, ckpt, '--tta', '--work-dir',
                 str(tmp_path / name), '--out',
                 str(tmp_path / f'pred_{name}'), env=env)
        outs[name] = sorted((tmp_path / f'pred_{name}').glob('*.png'))
    assert len(outs['distill']) == len(outs['plain']) == 2
    for a, b in zip(outs['distill'], outs['plain']):
        assert a.name == b.name
        assert np.array_equal(cv2.imread(str(a), cv2.IMREAD_UNCHANGED),
                              cv2.imread(str(b), cv2.IMREAD_UNCHANGED))
