"""The shipped OCRNet-HRNet -> DeepLabV3-R18 GDKD config, whose teacher is
a cascade (FCN soft-region stage + OCR stage), through tools/train.py on
tiny data: tiny_ocrnet_gdkd.py inherits the shipped config and shrinks
both models (the teacher inherits MMSeg's OCRNet-HRNetW48 config). Run in
process, so the test sees which teacher map is distilled."""
import numpy as np
import torch

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from gdkd_seg.models.distillers import SegDistiller
from tests.conftest import REPO, call_tool, make_tiny_teacher_ckpt

CONFIG = str(REPO / 'tests' / 'configs' / 'tiny_ocrnet_gdkd.py')


def test_ocrnet_teacher_trains_a_deeplabv3_student(tmp_path,
                                                   tiny_cityscapes,
                                                   monkeypatch):
    teacher_ckpt = make_tiny_teacher_ckpt(
        str(tmp_path / 'ocrnet.pth'), config='tiny_ocrnet_teacher.py')
    seen, logged = [], []
    original = SegDistiller._teacher_maps
    original_loss = SegDistiller.loss

    def recording(self, inputs, data_samples, size):
        maps = original(self, inputs, data_samples, size)
        with torch.no_grad():  # MMSeg's own tensor mode: the OCR stage
            ocr = self.teacher._forward(inputs)
        seen.append((torch.equal(maps['final'], ocr), tuple(ocr.shape),
                     tuple(size), sorted(map(str, maps))))
        return maps

    def recording_loss(self, *args, **kwargs):
        losses = original_loss(self, *args, **kwargs)
        logged.append({k: float(v) for k, v in losses.items()})
        return losses

    monkeypatch.setattr(SegDistiller, '_teacher_maps', recording)
    monkeypatch.setattr(SegDistiller, 'loss', recording_loss)
    monkeypatch.setenv('GDKD_TINY_DATA', tiny_cityscapes)
    work = tmp_path / 'work'
    call_tool('train.py', CONFIG, '--work-dir', str(work), '--cfg-options',
              f'model.teacher_ckpt={teacher_ckpt}',
              'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
              'default_hooks.checkpoint.interval=2',
              'param_scheduler.0.end=2')
    # the final (OCR) stage, at stride 4, for a stride-8 student; only it
    assert seen == [(True, (2, 19, 16, 32), (8, 16), ['final'])] * 2
    state = load_mmengine_checkpoint(str(work / 'iter_2.pth'))['state_dict']
    assert state and all(k.startswith('student.') for k in state)
    assert not any('ocr' in k or 'stage4' in k for k in state)
    assert any('backbone.layer4' in k for k in state)  # the ResNet
    assert len(logged) == 2
    for losses in logged:
        for key in ('loss_gdkd', 'gdkd_high', 'decode.loss_ce',
                    'aux.loss_ce'):
            assert np.isfinite(losses[key]), key
        assert losses['loss_gdkd'] > 0
        assert 'aux.loss_gdkd' not in losses  # the teacher has no aux head
    # validation ran (in process, MMSeg's named visualizer of an earlier
    # run may hold scalars.json elsewhere: the text log is this run's)
    (log, ) = work.glob('*/*.log')
    assert 'mIoU' in log.read_text()
