"""MMSeg's analysis tools on a distillation config report the student:
our get_flops.py (student next to teacher; MMSeg's cannot run on it),
MMSeg's own benchmark.py (inference fps) and confusion_matrix.py (on the
predictions of MMSeg's own tools/test.py)."""
import json
import re
import runpy
from pathlib import Path

import mmseg
import numpy as np
import pytest
from PIL import Image
from mmengine.analysis.print_helper import _format_size

from tests.conftest import REPO, run_tool
from tests.e2e.test_inference_apis import make_distill_ckpts

MMSEG_TOOLS = Path(mmseg.__file__).parent / '.mim' / 'tools'
DISTILL = str(REPO / 'tests' / 'configs' / 'tiny_gdkd.py')
PLAIN = str(REPO / 'tests' / 'configs' / 'tiny_teacher.py')
GET_FLOPS = 'tools/analysis/get_flops.py'


@pytest.fixture(scope='module')
def ckpts(tmp_path_factory):
    return make_distill_ckpts(tmp_path_factory.mktemp('ckpts'))


def field(text, name):
    found = re.search(rf'^{name}: (\S+)', text, re.M)
    assert found, text[-2000:]
    return found.group(1)


def inference_params(model_cfg, **changes) -> str:
    """Parameters without the auxiliary head, counted here."""
    from mmengine.config import Config
    from mmseg.registry import MODELS
    cfg = Config.fromfile(model_cfg)
    cfg.merge_from_dict(changes)
    model = MODELS.build(cfg.model)
    return _format_size(sum(p.numel() for n, p in model.named_parameters()
                            if not n.startswith('auxiliary_head')))


def test_get_flops_reports_the_student_next_to_the_teacher():
    # a narrower student than the (tiny) teacher
    opt = 'decode_head.channels'
    out = run_tool(GET_FLOPS, DISTILL, '--shape', '64', '128',
                   '--cfg-options', f'model.student.{opt}=8').stdout
    student = run_tool(GET_FLOPS, PLAIN, '--shape', '64', '128',
                       '--cfg-options', f'model.{opt}=8').stdout
    teacher = run_tool(GET_FLOPS, PLAIN, '--shape', '64', '128').stdout
    for name in ('Flops', 'Params'):
        assert field(out, name) == field(student, name)
        assert field(out, f'Teacher {name}') == field(teacher, name)
    assert field(out, 'Params') != field(out, 'Teacher Params')
    assert field(out, 'Params') == inference_params(
        PLAIN, **{f'model.{opt}': 8})
    assert field(out, 'Teacher Params') == inference_params(PLAIN)


def test_mmseg_benchmark_measures_the_student(ckpts, tmp_path,
                                              tiny_cityscapes):
    # MMSeg's script times images 6..200: repeat the 2 val images; a
    # teacher checkpoint that does not exist shows the teacher is unused
    cfg = tmp_path / 'bench.py'
    cfg.write_text(
        f'_base_ = [{DISTILL!r}]\n'
        "model = dict(teacher_ckpt='/no/such/teacher.pth')\n"
        'test_dataloader = dict(dataset=dict(_delete_=True, '
        "type='RepeatDataset', times=100, "
        'dataset={{_base_.test_dataloader.dataset}}))\n')
    proc = run_tool(str(MMSEG_TOOLS / 'analysis_tools' / 'benchmark.py'),
                    str(cfg), ckpts[0], '--work-dir', str(tmp_path),
                    env={'GDKD_TINY_DATA': tiny_cityscapes})
    fps = float(re.search(r'Overall fps: ([0-9.]+)', proc.stdout).group(1))
    assert fps > 0
    result = json.loads(next(tmp_path.glob('fps_*.json')).read_text())
    assert result['average_fps'] == pytest.approx(fps, abs=0.01)


def test_mmseg_confusion_matrix_of_mmseg_test_predictions(
        ckpts, tmp_path, tiny_cityscapes, monkeypatch):
    monkeypatch.setenv('GDKD_TINY_DATA', tiny_cityscapes)
    env = {'GDKD_TINY_DATA': tiny_cityscapes}
    preds, save = tmp_path / 'preds', tmp_path / 'cm'
    # MMSeg's own test.py on the distillation config: the student's maps
    run_tool(str(MMSEG_TOOLS / 'test.py'), DISTILL, ckpts[0], '--out',
             str(preds), '--work-dir', str(tmp_path / 'test'), env=env)
    tool = str(MMSEG_TOOLS / 'analysis_tools' / 'confusion_matrix.py')
    # (drawing the 19 x 19 figure takes most of the time)
    run_tool(tool, DISTILL, str(preds), str(save), env=env, timeout=1500)
    assert (save / 'confusion_matrix.png').stat().st_size > 0
    # the tool's matrix on the distillation config's test set equals one
    # counted here from the label and prediction files
    from mmengine.config import Config
    from mmseg.registry import DATASETS
    module = runpy.run_path(tool)
    dataset = DATASETS.build(Config.fromfile(DISTILL).test_dataloader
                             .dataset)
    pred_files = sorted(preds.iterdir())
    results = [np.array(Image.open(p)) for p in pred_files]
    matrix = module['calculate_confusion_matrix'](dataset, results)
    labels = sorted(Path(tiny_cityscapes).glob('gtFine/val/*/*.png'))
    assert len(labels) == len(results) == 2
    expected = np.zeros((19, 19))
    for label, pred in zip(labels, results):
        gt = np.array(Image.open(label))
        valid = gt != 255
        np.add.at(expected, (gt[valid], pred[valid]), 1)
    assert np.array_equal(matrix, expected)
    assert matrix.sum() == sum((np.array(Image.open(p)) != 255).sum()
                               for p in labels)
