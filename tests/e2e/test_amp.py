"""Mixed precision: ``--amp`` runs bf16 autocast on CPU, the distillation
maths stay in float32, and a non-finite distillation loss stops the run
naming the iteration and the term."""
import pytest
import torch
from mmengine.logging import MessageHub

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from gdkd_seg.models.distillers import SegDistiller
from gdkd_seg.models.losses import gdkd_loss
from tests.conftest import REPO, call_tool

CONFIG = str(REPO / 'tests' / 'configs' / 'tiny_gdkd.py')
TINY = str(REPO / 'tests' / 'configs' / 'tiny_teacher.py')


@pytest.fixture
def distiller(tiny_teacher_ckpt):
    from mmengine.config import Config
    student = Config.fromfile(TINY).model
    return SegDistiller(student=student, teacher=TINY,
                        teacher_ckpt=tiny_teacher_ckpt,
                        distill_losses=dict(type='GDKDLoss', k=3))


def logits(seed, n=2, c=19, h=8, w=16):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, c, h, w, generator=g) * 3


def test_distillation_maths_in_float32_under_autocast(distiller):
    s, t = logits(0).bfloat16(), logits(1).bfloat16()
    target = torch.randint(0, 19, (2, 8, 16))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = distiller.distill(s, t, target)
    expected = gdkd_loss(s.float(), t.float(), target, k=3)
    assert out['loss_gdkd'].dtype == torch.float32
    assert torch.equal(out['loss_gdkd'], expected)


@pytest.mark.parametrize('who', ['student', 'teacher'])
def test_non_finite_loss_names_iteration_term_and_logits(distiller, who):
    s, t = logits(0), logits(1)
    target = torch.randint(0, 19, (2, 8, 16))
    target[0, 0, 0] = 255  # garbage at an ignored pixel is fine
    s[0, :, 0, 0] = float('nan')
    t[0, :, 0, 0] = float('inf')
    assert torch.isfinite(distiller.distill(s, t, target)['loss_gdkd'])
    (s if who == 'student' else t)[1, 4, 3, 5] = float('inf')
    MessageHub.get_current_instance().update_info('iter', 41)
    with pytest.raises(FloatingPointError,
                       match=rf'loss_gdkd.* at iteration 42: {who} logits'):
        distiller.distill(s, t, target)


def test_amp_flag_trains_in_bf16_on_cpu(tmp_path, tiny_cityscapes,
                                        tiny_teacher_ckpt, monkeypatch):
    """``--amp`` without a GPU: the model's logits reach the distiller in
    bf16 (autocast is on), the losses come out float32 and finite."""
    seen = []
    original = SegDistiller.distill

    def recording(self, s, t, *args, **kwargs):
        out = original(self, s, t, *args, **kwargs)
        loss = next(v for k, v in out.items() if k.endswith('loss_gdkd'))
        seen.append(
            (s.dtype, t.dtype, loss.dtype, bool(torch.isfinite(loss))))
        return out

    monkeypatch.setattr(SegDistiller, 'distill', recording)
    monkeypatch.setenv('GDKD_TINY_DATA', tiny_cityscapes)
    call_tool('train.py', CONFIG, '--amp', '--work-dir',
              str(tmp_path / 'work'), '--cfg-options',
              f'model.teacher_ckpt={tiny_teacher_ckpt}',
              'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
              'param_scheduler.0.end=2')
    bf16, f32 = torch.bfloat16, torch.float32
    # decode + auxiliary head, 2 iterations
    assert seen == [(bf16, bf16, f32, True)] * 4
    cfg = load_mmengine_checkpoint(str(tmp_path / 'work' /
                                       'iter_2.pth'))['meta']['cfg']
    assert "type='AutocastOptimWrapper'" in cfg
