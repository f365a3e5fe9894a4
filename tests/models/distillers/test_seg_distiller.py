"""Behaviour of SegDistiller with tiny MMSeg models (no data, no CLI)."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from gdkd_seg.models.distillers import SegDistiller
from gdkd_seg.models.distillers.seg_distiller import downsample_labels
from gdkd_seg.models.distillers.base import load_model_cfg
from gdkd_seg.models.losses import dkd_loss, gdkd_loss
from tests.conftest import REPO

TINY = str(REPO / 'tests' / 'configs' / 'tiny_teacher.py')


def tiny_cfg(**changes):
    """The tiny model config, with dotted-key changes as --cfg-options."""
    cfg = Config(dict(model=load_model_cfg(TINY)))
    cfg.merge_from_dict({f'model.{k}': v for k, v in changes.items()})
    return cfg.model


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    """A tiny DeepLabV3 with random (seeded) weights, saved as MMEngine
    would: ``{'state_dict': ..., 'meta': ...}``."""
    torch.manual_seed(0)
    teacher = MODELS.build(tiny_cfg())
    teacher.init_weights()
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, path)
    return str(path)


def make_batch(n=2, h=64, w=128, num_classes=19, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, 3, h, w, generator=g)
    samples = []
    for _ in range(n):
        label = torch.randint(0, num_classes, (1, h, w), generator=g)
        label[:, :4] = 255  # an ignored band
        samples.append(SegDataSample(gt_sem_seg=PixelData(data=label)))
    return inputs, samples


def build(teacher_ckpt, **kwargs):
    torch.manual_seed(1)
    kwargs.setdefault('distill_losses', dict(type='GDKDLoss', k=3))
    model = SegDistiller(
        student=tiny_cfg(), teacher=TINY, teacher_ckpt=teacher_ckpt,
        **kwargs)
    model.init_weights()
    return model


def test_teacher_loaded_frozen_and_hidden(teacher_ckpt):
    model = build(teacher_ckpt)
    saved = torch.load(teacher_ckpt)['state_dict']
    # init_weights() re-initialised the student, not the teacher
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, saved[key]), key
    assert not any(p.requires_grad for p in model.teacher.parameters())
    teacher_params = {id(p) for p in model.teacher.parameters()}
    assert not teacher_params & {id(p) for p in model.parameters()}
    assert all(k.startswith(('student.', 'distill_losses.'))
               for k in model.state_dict())
    model.train()
    assert model.student.training and not model.teacher.training
    assert not any(m.training for m in model.teacher.modules())


def test_train_step_changes_only_the_student(teacher_ckpt):
    model = build(teacher_ckpt, aux_distill_weight=0.4)
    teacher_before = copy.deepcopy(model.teacher.state_dict())
    student_before = copy.deepcopy(model.student.state_dict())
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    inputs, samples = make_batch()
    log_vars = model.train_step(
        dict(inputs=list(inputs * 50 + 100), data_samples=samples), optim)
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key  # BN stats too
    changed = [not torch.equal(v, student_before[k])
               for k, v in model.student.state_dict().items()]
    assert any(changed)
    for key in ('loss', 'decode.loss_ce', 'aux.loss_ce', 'loss_gdkd',
                'gdkd_high', 'gdkd_low_top', 'gdkd_low_other',
                'aux.loss_gdkd', 'aux.gdkd_high'):
        assert key in log_vars, key


def test_loss_equals_mmseg_losses_plus_distillation(teacher_ckpt):
    """The loss dict is MMSeg's own student losses plus our losses on the
    stride-8 logits with nearest-downsampled labels (a wiring test: the
    expected values call the loss functions, whose maths is checked in
    tests/models/losses)."""
    model = build(teacher_ckpt, distill_losses=[
        dict(type='GDKDLoss', k=3, w2=2.0, loss_weight=0.5),
        dict(type='DKDLoss', beta=2.0)
    ])
    model.eval()  # no dropout: both computations see the same logits
    inputs, samples = make_batch()
    losses = model.loss(inputs, samples)
    own = model.student.loss(inputs, samples)
    for key, value in own.items():
        assert torch.allclose(losses[key], value), key
    with torch.no_grad():
        s = model.student.decode_head(model.student.extract_feat(inputs))
        t = model.teacher.decode_head(model.teacher.extract_feat(inputs))
    assert s.shape[2:] == (8, 16)  # stride 8
    gt = torch.stack([d.gt_sem_seg.data[0] for d in samples])
    small = gt[:, ::8, ::8]  # top-left pixel of each 8x8 block
    assert torch.allclose(losses['loss_gdkd'],
                          0.5 * gdkd_loss(s, t, small, k=3, w2=2.0))
    assert torch.allclose(losses['loss_dkd'], dkd_loss(s, t, small, beta=2.))
    # MMEngine back-propagates the sum of the keys containing 'loss': the
    # sub-terms are logged (detached) but must not be among them
    parts = [k for k in losses if k.startswith(('gdkd_', 'dkd_'))]
    assert sorted(parts) == ['dkd_nckd', 'dkd_tckd', 'gdkd_high',
                             'gdkd_low_other', 'gdkd_low_top']
    assert not any(losses[k].requires_grad for k in parts)
    total, log_vars = model.parse_losses(losses)
    expected = (own['decode.loss_ce'] + own['aux.loss_ce'] +
                losses['loss_gdkd'] + losses['loss_dkd'])
    assert torch.allclose(total, expected)
    assert set(log_vars) == {'loss', *own, 'loss_gdkd', 'loss_dkd', *parts}


def test_warmup_by_iteration(teacher_ckpt):
    model = build(teacher_ckpt, warmup_iters=10)
    model.eval()
    inputs, samples = make_batch()
    hub = MessageHub.get_current_instance()
    values = {}
    for it in (0, 4, 9, 50):
        hub.update_info('iter', it)
        values[it] = model.loss(inputs, samples)['loss_gdkd']
    full = values[50]
    assert torch.allclose(values[0], full * 0.1)
    assert torch.allclose(values[4], full * 0.5)
    assert torch.allclose(values[9], full)


def test_teacher_of_other_stride_is_resized(teacher_ckpt, tmp_path):
    """A stride-16 teacher's logits are resized to the student's."""
    cfg = tiny_cfg(**{'backbone.dilations': (1, 1, 1, 2),
                      'backbone.strides': (1, 2, 2, 1)})
    torch.manual_seed(0)
    teacher = MODELS.build(cfg)
    path = tmp_path / 't16.pth'
    torch.save({'state_dict': teacher.state_dict()}, path)
    model = SegDistiller(student=tiny_cfg(), teacher=cfg,
                         teacher_ckpt=str(path))
    inputs, samples = make_batch()
    losses = model.loss(inputs, samples)
    assert torch.isfinite(losses['loss_gdkd'])


def test_predict_and_tensor_modes_are_the_students(teacher_ckpt):
    model = build(teacher_ckpt).eval()
    inputs, samples = make_batch(n=1)
    for s in samples:
        s.set_metainfo(dict(img_shape=(64, 128), ori_shape=(64, 128),
                            pad_shape=(64, 128), padding_size=[0, 0, 0, 0]))
    out = model(inputs, copy.deepcopy(samples), mode='predict')
    ref = model.student.predict(inputs, copy.deepcopy(samples))
    assert torch.equal(out[0].pred_sem_seg.data, ref[0].pred_sem_seg.data)
    assert torch.equal(model(inputs, mode='tensor'),
                       model.student(inputs, mode='tensor'))


def student_state(model):
    """The student's weights as a plain (exported) checkpoint holds them."""
    return {k[len('student.'):]: v.clone()
            for k, v in model.state_dict().items() if k.startswith('student.')}


def test_exported_student_loads_strictly_in_plain_mmseg(teacher_ckpt):
    model = build(teacher_ckpt).eval()
    plain = MODELS.build(tiny_cfg()).eval()
    plain.load_state_dict(student_state(model), strict=True)
    inputs = torch.randn(1, 3, 64, 128)
    assert torch.equal(plain(inputs, mode='tensor'),
                       model(inputs, mode='tensor'))


def perturbed(model, seed):
    """``model`` with every student tensor changed (weights and BN
    statistics), so a load that does nothing cannot pass."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for value in model.student.state_dict().values():
            if value.is_floating_point():
                value.add_(torch.rand(value.shape, generator=g) + 0.5)
            else:
                value.add_(7)
    return model


@pytest.mark.parametrize('how', ['torch', 'mmengine'])
def test_plain_student_checkpoint_loads_into_the_distiller(
        teacher_ckpt, how):
    source = perturbed(build(teacher_ckpt), seed=1)
    state = student_state(source)
    model = build(teacher_ckpt)
    assert not torch.equal(model.student.backbone.stem[0].weight,
                           state['backbone.stem.0.weight'])
    if how == 'torch':
        model.load_state_dict(state, strict=True)
    else:  # what load_from / tools/test.py do with an exported student
        from mmengine.runner.checkpoint import _load_checkpoint_to_model
        _load_checkpoint_to_model(model, dict(state_dict=state),
                                  strict=True)
    loaded = model.student.state_dict()
    assert loaded.keys() == state.keys()
    for key, value in state.items():
        assert torch.equal(loaded[key], value), key


def test_own_checkpoint_loads_unchanged(teacher_ckpt):
    """The distiller's own checkpoints (``student.*``: load_from, resume)
    load as they are."""
    state = perturbed(build(teacher_ckpt), seed=2).state_dict()
    model = build(teacher_ckpt)
    model.load_state_dict(state, strict=True)
    for key, value in model.state_dict().items():
        assert torch.equal(value, state[key]), key


@pytest.mark.parametrize('case', ['teacher', 'mixed', 'foreign'])
def test_other_checkpoints_are_refused_clearly(teacher_ckpt, case):
    """Only a plain student's keys are renamed: a teacher of another
    architecture, a mix of distiller and plain keys, or unknown keys are
    refused, naming the keys, and nothing is loaded."""
    model = build(teacher_ckpt)
    state = student_state(perturbed(build(teacher_ckpt), seed=3))
    if case == 'teacher':  # a PSPNet's keys: decode_head.psp_modules...
        psp = tiny_cfg()
        psp.decode_head = dict(
            type='PSPHead', in_channels=64, in_index=3, channels=16,
            pool_scales=(1, 2), num_classes=19,
            norm_cfg=dict(type='BN', requires_grad=True))
        state = MODELS.build(psp).state_dict()
        match = 'psp_modules'
    elif case == 'mixed':
        key = next(iter(state))
        state[f'student.{key}'] = state.pop(key)
        match = 'not the distiller'
    else:
        state['ema.backbone.stem.0.weight'] = torch.zeros(1)
        match = 'ema.backbone'
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match=match):
        model.load_state_dict(state, strict=False)
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key


@pytest.mark.parametrize('case', [
    'classes', 'missing_ckpt', 'wrong_ckpt', 'unknown_loss', 'aux', 'k'
])
def test_clear_errors_at_build_time(teacher_ckpt, tmp_path, case):
    kwargs = dict(student=tiny_cfg(), teacher=TINY,
                  teacher_ckpt=teacher_ckpt)
    error, match = ValueError, None
    if case == 'classes':
        kwargs['student'] = tiny_cfg(**{'decode_head.num_classes': 11,
                                        'auxiliary_head.num_classes': 11})
        match = '19 classes, student 11'
    elif case == 'missing_ckpt':
        kwargs['teacher_ckpt'] = str(tmp_path / 'nope.pth')
        error, match = FileNotFoundError, 'teacher checkpoint not found'
    elif case == 'wrong_ckpt':
        psp = tiny_cfg()
        psp.decode_head = dict(
            type='PSPHead', in_channels=64, in_index=3, channels=16,
            pool_scales=(1, 2), num_classes=19,
            norm_cfg=dict(type='BN', requires_grad=True))
        path = tmp_path / 'psp.pth'
        torch.save({'state_dict': MODELS.build(psp).state_dict()}, path)
        kwargs['teacher_ckpt'] = str(path)
        match = 'does not match the teacher config'
    elif case == 'unknown_loss':
        kwargs['distill_losses'] = dict(type='NoSuchLoss')
        error, match = KeyError, 'not registered'
    elif case == 'aux':
        kwargs['student'] = tiny_cfg(auxiliary_head=None)
        kwargs['aux_distill_weight'] = 0.4
        match = 'auxiliary head'
    elif case == 'k':
        kwargs['distill_losses'] = dict(type='GDKDLoss', k=19)
        match = '1 <= k < C'
    with pytest.raises(error, match=match):
        # the teacher's errors come when training builds it (init_weights,
        # before the first iteration), the others at construction
        SegDistiller(**kwargs).init_weights()


def test_mlkd_is_refused_at_build_time(teacher_ckpt):
    """MLKD has no segmentation version: a clear error before the first
    iteration (the loss itself would only fail on 4-D logits there)."""
    with pytest.raises(ValueError, match='classification only'):
        SegDistiller(student=tiny_cfg(), teacher=TINY,
                     teacher_ckpt=teacher_ckpt,
                     distill_losses=dict(type='MLKDLoss'))


TINY_MIT = str(REPO / 'tests' / 'configs' / 'tiny_segformer.py')
TINY_MIT_TEACHER = str(REPO / 'tests' / 'configs' /
                       'tiny_segformer_teacher.py')


def test_stride4_segformer_labels_follow_the_logits():
    """SegFormer's head predicts at stride 4 and has no auxiliary head:
    the distillation sees the labels nearest-downsampled by 4 (the
    logits' own size, not a stride of 8), and only the decode head is
    distilled."""
    from gdkd_seg.models.losses import gdkd3_loss
    torch.manual_seed(0)
    model = SegDistiller(
        student=load_model_cfg(TINY_MIT), teacher=TINY_MIT_TEACHER,
        teacher_ckpt=None,
        distill_losses=dict(type='GDKD3Loss', k=5, w2=1.0))
    model.eval()  # no dropout / drop path: the same logits twice
    inputs, samples = make_batch()
    # labels that vary inside each 4x4 and 8x8 block: a stride other
    # than the logits' would pick other labels (and ignored pixels)
    g = torch.Generator().manual_seed(3)
    gt = torch.randint(0, 19, (2, 64, 128), generator=g)
    gt[:, 1::4, :] = 255
    samples = [SegDataSample(gt_sem_seg=PixelData(data=label[None]))
               for label in gt]
    losses = model.loss(inputs, samples)
    assert not any(k.startswith('aux') for k in losses)
    with torch.no_grad():
        s = model.student.decode_head(model.student.extract_feat(inputs))
        t = model.teacher.decode_head(model.teacher.extract_feat(inputs))
    assert s.shape[2:] == t.shape[2:] == (16, 32)  # stride 4
    small = gt[:, ::4, ::4]  # top-left pixel of each 4x4 block
    expected = gdkd3_loss(s, t, small, k=5, w2=1.0)
    assert torch.allclose(losses['loss_gdkd3'], expected)
    # the labels matter: all ignored at stride 4 would give 0
    other = gdkd3_loss(s, t, torch.full_like(small, 255), k=5, w2=1.0)
    assert other == 0 and expected > 0


def test_stride4_segformer_refuses_aux_distillation():
    with pytest.raises(ValueError, match='auxiliary head'):
        SegDistiller(student=load_model_cfg(TINY_MIT),
                     teacher=TINY_MIT_TEACHER, teacher_ckpt=None,
                     aux_distill_weight=0.4)


# ----------------------------------------------------------------------
# labels at the logits' resolution
# ----------------------------------------------------------------------
@pytest.mark.parametrize('scale', [2, 8])
def test_downsample_labels_takes_top_left_of_each_block(scale):
    g = torch.Generator().manual_seed(5)
    y = torch.randint(0, 256, (2, 3 * scale, 7 * scale), generator=g)
    out = downsample_labels(y, (3, 7))
    # an independent definition: legacy nearest interpolation
    ref = F.interpolate(y[:, None].float(), size=(3, 7), mode='nearest')
    torch.testing.assert_close(out, ref[:, 0].long())
    torch.testing.assert_close(out, y[:, ::scale, ::scale])
    y = torch.arange(6).view(1, 2, 3)
    assert downsample_labels(y, (2, 3)) is y


@pytest.mark.parametrize('size', [(4, 14), (6, 15), (3, 8), (5, 9)])
def test_downsample_labels_any_size_is_legacy_nearest(size):
    """Sizes that are no integer multiple (crops that do not divide by
    the stride): legacy nearest interpolation, labels kept integers."""
    y = torch.randint(0, 256, (2, ) + size,
                      generator=torch.Generator().manual_seed(58))
    out = downsample_labels(y, (3, 7))
    ref = F.interpolate(y[:, None].float(), size=(3, 7), mode='nearest')
    assert out.dtype == y.dtype
    torch.testing.assert_close(out, ref[:, 0].long(), rtol=0, atol=0)
    # pixel (i, j) reads (floor(i H / 3), floor(j W / 7)), written out
    rows = [i * size[0] // 3 for i in range(3)]
    cols = [j * size[1] // 7 for j in range(7)]
    torch.testing.assert_close(out, y[:, rows][:, :, cols], rtol=0, atol=0)


# ----------------------------------------------------------------------
# configs that cannot distil
# ----------------------------------------------------------------------
@pytest.mark.parametrize('losses', [[], (), None, {}])
def test_empty_distill_losses_is_refused(teacher_ckpt, losses):
    """No loss would train the student undistilled without a word."""
    with pytest.raises(ValueError, match='distill_losses is empty'):
        SegDistiller(student=tiny_cfg(), teacher=TINY,
                     teacher_ckpt=teacher_ckpt, distill_losses=losses)


def test_student_without_decode_head_is_refused(teacher_ckpt):
    """Not MMSeg's 'cfg should be a dict' from deep inside the build."""
    with pytest.raises(ValueError, match='student: .*no decode_head'):
        SegDistiller(student=tiny_cfg(decode_head=None), teacher=TINY,
                     teacher_ckpt=teacher_ckpt)
