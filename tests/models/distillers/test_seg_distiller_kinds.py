"""SegDistiller with the segmentors beyond one softmax head: binary
(sigmoid) heads and what each loss reduces to there, PointRend,
mask-classification heads (MaskFormer-style), MMSeg's builders and
inference APIs, and errors raised while building the teacher."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope

import gdkd_seg  # noqa: F401,I001  (mmcv.ops stand-in before mmseg.models)
from mmseg.registry import MODELS

from gdkd_seg.models.distillers import SegDistiller
from gdkd_seg.models.losses import cwd_loss, dkd_loss, gdkd_loss, kd_loss
from tests.models.distillers.test_segmentor_matrix import (TEACHER_WIDTH,
                                                           make_data,
                                                           sharpen)
from tests.models.distillers.tiny_segmentors import STRIDE, segmentor


def build(s_kind, t_kind, losses, **kwargs) -> SegDistiller:
    torch.manual_seed(0)
    model = SegDistiller(student=segmentor(s_kind),
                         teacher=segmentor(t_kind, width=TEACHER_WIDTH),
                         distill_losses=losses, **kwargs)
    sharpen(model.student)
    sharpen(model.build_teacher())
    return model


def plain(kind, state=None):
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(segmentor(kind))
    if state is not None:
        model.load_state_dict(state)
    return model


def batch(model, C, seed=0, ignored=True):
    data = make_data(C, seed=seed)
    if not ignored:
        for s in data['data_samples']:
            s.gt_sem_seg.data[:, :2] = 0
    out = model.data_preprocessor(data, True)
    gt = torch.stack([s.gt_sem_seg.data[0] for s in out['data_samples']])
    return out['inputs'], out['data_samples'], gt[:, ::STRIDE, ::STRIDE]


# ----------------------------------------------------------------------
# binary heads: one sigmoid channel z is the two classes (0, z)
# ----------------------------------------------------------------------
def binary_kl(z_s, z_t, valid, T):
    """T^2 KL(Bernoulli(sigmoid(z_t / T)) || Bernoulli(sigmoid(z_s / T))),
    mean over valid pixels, written with sigmoids (no two-class map)."""
    q = torch.sigmoid(z_t / T)
    log_p1, log_p0 = F.logsigmoid(z_s / T), F.logsigmoid(-z_s / T)
    log_q1, log_q0 = F.logsigmoid(z_t / T), F.logsigmoid(-z_t / T)
    kl = q * (log_q1 - log_p1) + (1 - q) * (log_q0 - log_p0)
    return T**2 * kl[:, 0][valid].mean()


def binary_cwd(z_s, z_t, valid, T):
    """Half of T^2 / N sum_n KL over positions of softmax(z_t / T) vs
    softmax(z_s / T) (channel 1; channel 0 is constant, a uniform map on
    both sides, KL 0; the mean is over C = 2 channels)."""
    total = 0.
    for n in range(z_s.shape[0]):
        a = z_s[n, 0][valid[n]] / T
        b = z_t[n, 0][valid[n]] / T
        total += (b.softmax(0) * (b.log_softmax(0) - a.log_softmax(0))).sum()
    return T**2 * total / (2 * z_s.shape[0])


@pytest.mark.parametrize('loss', ['KD', 'DKD', 'GDKD', 'CWD'])
def test_binary_reductions(loss):
    """What each loss is on a one-channel head (and a one-channel
    teacher), against the closed forms: KD is the binary KL of the
    sigmoid probabilities; DKD is alpha times it (its non-target part has
    one class: 0); GDKD with k=1 is w0 times it (both inner terms have one
    class: 0); CWD is half the spatial KL of the foreground channel."""
    T = 2.0
    cfg, factor = {
        'KD': (dict(type='KDLoss', temperature=T), 1.0),
        'DKD': (dict(type='DKDLoss', alpha=0.5, beta=8.0, temperature=T),
                0.5),
        'GDKD': (dict(type='GDKDLoss', k=1, w0=0.7, w1=3.0, w2=5.0,
                      temperature=T), 0.7),
        'CWD': (dict(type='CWDLoss', temperature=T), 1.0),
    }[loss]
    model = build('binary', 'binary', cfg).eval()
    inputs, samples, labels = batch(model, 2)
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        z_s = model.student._forward(inputs)  # (N, 1, h, w)
        z_t = model.teacher._forward(inputs)
    assert z_s.shape[1] == z_t.shape[1] == 1
    valid = labels != 255
    closed = binary_cwd if loss == 'CWD' else binary_kl
    want = factor * closed(z_s, z_t, valid, T)
    key = 'loss_' + cfg['type'][:-4].lower()
    assert torch.allclose(losses[key], want, rtol=1e-5), (losses[key], want)
    assert want > 0
    for part, value in losses.items():  # the terms that vanish
        if part in ('dkd_nckd', 'gdkd_low_top', 'gdkd_low_other'):
            assert value == 0, part


@pytest.mark.parametrize('pair', [('binary', 'twoclass'),
                                  ('twoclass', 'binary')])
@pytest.mark.parametrize('loss', ['KD', 'CWD'])
def test_binary_with_a_two_channel_partner(pair, loss):
    """A softmax head (a, b) next to a sigmoid one is read as (0, b - a):
    the same class probabilities for KD, and for CWD the same foreground
    map on both sides (its channel 0 is not compared with a constant)."""
    cfg = dict(type=f'{loss}Loss', temperature=2.0)
    model = build(*pair, cfg).eval()
    inputs, samples, labels = batch(model, 2)
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        s = model.student._forward(inputs)
        t = model.teacher._forward(inputs)
    z = [x if x.shape[1] == 1 else x[:, 1:] - x[:, :1] for x in (s, t)]
    valid = labels != 255
    closed = binary_cwd if loss == 'CWD' else binary_kl
    want = closed(z[0], z[1], valid, 2.0)
    assert torch.allclose(losses[f'loss_{loss.lower()}'], want, rtol=1e-5)


@pytest.mark.parametrize('case', ['gdkd_k3', 'gdkd3', 'ls', 'ctkd_ls',
                                  'ls_teacher', 'ls_twoclass'])
def test_binary_refuses_settings_without_meaning(case):
    """GDKD with k >= 2 and GDKD3 need more than two classes; logit
    standardization of two logits keeps only the sign of their
    difference (with a sigmoid head on either side, or a two-class
    softmax head), also inside CTKDLoss. Refused when the distiller is
    built (the two sides have the same class count)."""
    losses = {
        'gdkd_k3': dict(type='GDKDLoss', k=3),
        'gdkd3': dict(type='GDKD3Loss', k=2),
        'ls': dict(type='KDLoss', logit_stand=True),
        'ctkd_ls': dict(type='CTKDLoss', loss=dict(type='DKDLoss',
                                                   logit_stand=True)),
        'ls_teacher': dict(type='GDKDLoss', k=1, logit_stand=True),
        'ls_twoclass': dict(type='KDLoss', logit_stand=True),
    }[case]
    match = {'gdkd_k3': r'needs 1 <= k < C, got k=3 with C=2 .*'
                        r'one-channel sigmoid head .* GDKD needs k=1',
             'gdkd3': 'GDKD3 needs 2 <= k < C.* GDKD3 cannot be used'}.get(
                 case, 'only the sign of z')
    student, teacher = {'ls_teacher': ('twoclass', 'binary'),
                        'ls_twoclass': ('twoclass', 'twoclass')}.get(
                            case, ('binary', 'twoclass'))
    with pytest.raises(ValueError, match=match):
        SegDistiller(student=segmentor(student),
                     teacher=segmentor(teacher), distill_losses=losses)


# ----------------------------------------------------------------------
# MMSeg's own cascade heads: OCRNet (HRNet + FCN stage + OCR stage)
# ----------------------------------------------------------------------
def test_ocrnet_student_and_teacher_with_stage_distillation():
    """Real OCRNet heads (a shrunk copy of MMSeg's OCRNet-HRNetW48
    config) on both sides: MMSeg's own losses for both stages, the final
    (OCR) stage distilled, and the FCN stage with its own weight."""
    from gdkd_seg.models.distillers.base import load_model_cfg
    from tests.conftest import REPO
    cfg = load_model_cfg(str(REPO / 'tests/configs/tiny_ocrnet_teacher.py'))
    torch.manual_seed(0)
    model = SegDistiller(student=cfg, teacher=cfg,
                         distill_losses=dict(type='GDKDLoss', k=3),
                         stage_distill_weight=0.4)
    model.build_teacher()
    with DefaultScope.overwrite_default_scope('mmseg'):
        reference = MODELS.build(cfg)
    reference.load_state_dict(model.student.state_dict())
    g = torch.Generator().manual_seed(0)
    inputs = torch.randn(2, 3, 32, 64, generator=g)
    gt = torch.randint(0, 19, (2, 32, 64), generator=g)
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    samples = [SegDataSample(gt_sem_seg=PixelData(data=y[None]),
                             metainfo=dict(img_shape=(32, 64)))
               for y in gt]
    losses = model.loss(inputs, copy.deepcopy(samples))
    own = reference.loss(inputs, copy.deepcopy(samples))
    assert {'decode_0.loss_ce', 'decode_1.loss_ce'} <= set(own)
    for key, value in own.items():
        assert torch.allclose(losses[key], value), key
    model.eval()
    losses = model.loss(inputs, samples)
    labels = gt[:, ::4, ::4]  # HRNet: stride 4
    with torch.no_grad():
        s_feats = model.student.extract_feat(inputs)
        t_feats = model.teacher.extract_feat(inputs)
        s0 = model.student.decode_head[0].forward(s_feats)
        t0 = model.teacher.decode_head[0].forward(t_feats)
        s1 = model.student._forward(inputs)  # MMSeg's chain: OCR stage
        t1 = model.teacher._forward(inputs)
    assert s1.shape[2:] == labels.shape[1:]
    assert torch.allclose(losses['loss_gdkd'],
                          gdkd_loss(s1, t1, labels, k=3), rtol=1e-5)
    assert torch.allclose(losses['decode_0.loss_gdkd'],
                          0.4 * gdkd_loss(s0, t0, labels, k=3), rtol=1e-5)


# ----------------------------------------------------------------------
# heads that return several maps in training mode: DDRNet, PIDNet
# ----------------------------------------------------------------------
@pytest.mark.parametrize('name, main', [
    ('ddrnet/ddrnet_23-slim_in1k-pre_2xb6-120k_cityscapes-1024x1024.py', 0),
    ('pidnet/pidnet-s_2xb6-120k_1024x1024-cityscapes.py', 1),
])
def test_multi_output_students(name, main):
    """MMSeg's DDRNet and PIDNet configs, shrunk, as students: their own
    (multi-map) losses are MMSeg's, and the map distilled in training is
    the one their inference returns (DDRNet: context, PIDNet: integral
    branch)."""
    from mmengine.hub import get_config
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    from tests.conftest import REPO
    cfg = get_config('mmseg::' + name).model
    bn = dict(type='BN', requires_grad=True)
    cfg.data_preprocessor.size = (64, 128)
    cfg.backbone.update(channels=4, ppm_channels=8, norm_cfg=bn,
                        init_cfg=None)
    cfg.decode_head.update(in_channels=16, channels=8, norm_cfg=bn)
    torch.manual_seed(0)
    model = SegDistiller(student=cfg,
                         teacher=str(REPO / 'tests/configs/tiny_teacher.py'),
                         distill_losses=dict(type='KDLoss'))
    model.build_teacher()
    with DefaultScope.overwrite_default_scope('mmseg'):
        reference = MODELS.build(cfg)
    reference.load_state_dict(model.student.state_dict())
    g = torch.Generator().manual_seed(0)
    inputs = torch.randn(2, 3, 64, 128, generator=g)
    gt = torch.randint(0, 19, (2, 64, 128), generator=g)
    edges = torch.randint(0, 2, (2, 64, 128), generator=g)
    samples = [SegDataSample(gt_sem_seg=PixelData(data=y[None]),
                             gt_edge_map=PixelData(data=e[None]),
                             metainfo=dict(img_shape=(64, 128)))
               for y, e in zip(gt, edges)]
    torch.manual_seed(1)
    losses = model.loss(inputs, copy.deepcopy(samples))
    torch.manual_seed(1)
    own = reference.loss(inputs, copy.deepcopy(samples))
    for key, value in own.items():
        assert torch.allclose(losses[key], value), key
    torch.manual_seed(1)  # PIDNet's integral branch has dropout
    with torch.no_grad():  # training mode: the head returns a tuple
        maps = reference.decode_head.forward(reference.extract_feat(inputs))
        t = model.teacher._forward(inputs)
    assert isinstance(maps, tuple)
    s = maps[main]
    t = F.interpolate(t, s.shape[2:], mode='bilinear',
                      align_corners=reference.align_corners)
    labels = gt[:, ::64 // s.shape[2], ::128 // s.shape[3]]
    assert torch.allclose(losses['loss_kd'], kd_loss(s, t, labels),
                          rtol=1e-5)


# ----------------------------------------------------------------------
# PointRend: the coarse head's dense logits are distilled
# ----------------------------------------------------------------------
def test_pointrend_student_distils_its_coarse_head():
    model = build('pointrend', 'encdec', dict(type='KDLoss'))
    inputs, samples, labels = batch(model, 5)
    # its own losses: MMSeg's, with the same random points
    reference = plain('pointrend', model.student.state_dict())
    torch.manual_seed(3)
    losses = model.loss(inputs, copy.deepcopy(samples))
    torch.manual_seed(3)
    own = reference.loss(inputs, copy.deepcopy(samples))
    assert 'decode_1.pointloss_ce' in own
    for key, value in own.items():
        assert torch.equal(losses[key], value), key
    # the distilled map is the coarse head's (stage 0) dense logits
    model.eval()
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        feats = model.student.extract_feat(inputs)
        coarse = model.student.decode_head[0].forward(feats)
        t = model.teacher._forward(inputs)
    assert torch.allclose(losses['loss_kd'], kd_loss(coarse, t, labels))
    # the distillation's gradient reaches the coarse head only
    model.zero_grad()
    losses['loss_kd'].backward()
    head0, point = model.student.decode_head
    assert head0.conv_seg.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in point.parameters())
    # inference is the plain PointRend's (subdivision steps included)
    reference.load_state_dict(model.student.state_dict())
    reference.eval()
    got = model.predict(inputs, copy.deepcopy(samples))
    want = reference.predict(inputs, copy.deepcopy(samples))
    assert torch.equal(got[0].seg_logits.data, want[0].seg_logits.data)


def test_pointrend_teacher_gives_its_coarse_logits():
    model = build('encdec', 'pointrend', dict(type='GDKDLoss', k=2))
    model.eval()
    inputs, samples, labels = batch(model, 5)
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        s = model.student._forward(inputs)
        feats = model.teacher.extract_feat(inputs)
        coarse = model.teacher.decode_head[0].forward(feats)
    assert torch.allclose(losses['loss_gdkd'],
                          gdkd_loss(s, coarse, labels, k=2))


def test_pointrend_has_no_earlier_stage_to_distil():
    with pytest.raises(ValueError, match='PointRend has one'):
        SegDistiller(student=segmentor('pointrend'),
                     teacher=segmentor('pointrend'),
                     stage_distill_weight=0.4)


@pytest.mark.parametrize('teacher', ['encdec', 'pointrend'])
def test_stage_distillation_needs_matching_cascades(teacher):
    """A teacher that is no cascade, or a cascade with another number of
    dense stages (PointRend: its coarse head only)."""
    model = SegDistiller(student=segmentor('cascade'),
                         teacher=segmentor(teacher),
                         stage_distill_weight=[0.4])
    with pytest.raises(ValueError, match='student has 2 dense stages, '
                       'the teacher 1'):
        model.init_weights()


@pytest.mark.parametrize('weight', [0.4, [0.4, 0.4]])
def test_aux_distillation_needs_the_teachers_head(weight):
    """Two student aux heads and a teacher with one: a weight for the
    second is refused, naming it; a list with 0 there works."""
    model = SegDistiller(student=segmentor('aux2'),
                         teacher=segmentor('aux1'),
                         aux_distill_weight=weight)
    with pytest.raises(ValueError, match="student's auxiliary head 1 has "
                       'none in the teacher'):
        model.init_weights()
    SegDistiller(student=segmentor('aux2'), teacher=segmentor('aux1'),
                 aux_distill_weight=[0.4, 0.0]).init_weights()


def test_aux_weights_must_match_the_heads():
    with pytest.raises(ValueError, match="3 weights for the student's 2"):
        SegDistiller(student=segmentor('aux2'), teacher=segmentor('aux2'),
                     aux_distill_weight=[0.4, 0.4, 0.4])


# ----------------------------------------------------------------------
# mask classification: log-probabilities of the normalised product
# ----------------------------------------------------------------------
def mmseg_probs(model, feats, size):
    """The teacher's class distribution from MMSeg's own
    MaskFormerHead.predict (masks resized to ``size``), normalised."""
    metas = [dict(img_shape=tuple(size)) for _ in range(feats[0].shape[0])]
    scores = model.decode_head.predict(feats, metas, None)
    return scores / scores.sum(1, keepdim=True)


def test_mask_teacher_reaches_the_losses_as_log_probabilities(monkeypatch):
    seen = []
    original = SegDistiller.distill

    def recording(self, s, t, *args, **kwargs):
        seen.append(t)
        return original(self, s, t, *args, **kwargs)

    monkeypatch.setattr(SegDistiller, 'distill', recording)
    model = build('encdec', 'mask', dict(type='KDLoss')).eval()
    inputs, samples, _ = batch(model, 5)
    model.loss(inputs, samples)
    with torch.no_grad():
        s = model.student._forward(inputs)
        p = mmseg_probs(model.teacher, model.teacher.extract_feat(inputs),
                        s.shape[2:])
    (t, ) = seen
    assert t.shape == s.shape  # at the student's resolution
    assert torch.allclose(t.exp(), p, atol=1e-6)  # log-probabilities


@pytest.mark.parametrize('loss', ['KD', 'DKD', 'GDKD', 'CWD'])
def test_mask_teacher_per_loss(loss):
    """With the teacher's class distribution p (MMSeg's predict,
    normalised): KD at T=1 is KL(p || softmax(s)); DKD and GDKD take log p
    as logits: any per-pixel constant added to it changes nothing; CWD at
    T=1 compares each class's spatial share p_c(i) / sum_i p_c(i) with the
    student's spatial softmax."""
    cfg = {'KD': dict(type='KDLoss'), 'DKD': dict(type='DKDLoss', beta=2.),
           'GDKD': dict(type='GDKDLoss', k=2), 'CWD': dict(type='CWDLoss')}
    model = build('encdec', 'mask', cfg[loss]).eval()
    inputs, samples, labels = batch(model, 5, ignored=False)
    got = model.loss(inputs, samples)[f'loss_{loss.lower()}']
    with torch.no_grad():
        s = model.student._forward(inputs)  # (N, C, h, w)
        p = mmseg_probs(model.teacher, model.teacher.extract_feat(inputs),
                        s.shape[2:])
    if loss == 'KD':
        want = (p * (p.log() - s.log_softmax(1))).sum(1).mean()
    elif loss == 'CWD':
        share = p.flatten(2) / p.flatten(2).sum(2, keepdim=True)
        log_p = s.flatten(2).log_softmax(2)
        want = (share * (share.log() - log_p)).sum(2).mean()
    else:
        shift = torch.randn(s.shape[0], 1, *s.shape[2:]) * 10
        fn = dict(DKD=lambda t: dkd_loss(s, t, labels, beta=2.),
                  GDKD=lambda t: gdkd_loss(s, t, labels, k=2))[loss]
        want = fn(p.log() + shift)
        assert torch.allclose(want, fn(p.log()), rtol=1e-5)
    assert torch.allclose(got, want, rtol=1e-5), (got, want)


def test_mask_student_trains_on_its_log_probabilities():
    """A mask-classification student: its own losses are MMSeg's
    (MaskFormerHead.loss on our mmdet stand-in), the distillation acts on
    its normalised log-probabilities at the masks' resolution, with
    gradient into both its class and its mask branch; predict is
    MMSeg's."""
    model = build('mask', 'encdec', dict(type='KDLoss'))
    inputs, samples, labels = batch(model, 5)
    reference = plain('mask', model.student.state_dict())
    losses = model.loss(inputs, copy.deepcopy(samples))
    own = reference.loss(inputs, copy.deepcopy(samples))
    assert set(own) == {'decode.loss_cls', 'decode.loss_mask'}
    for key, value in own.items():
        assert torch.equal(losses[key], value), key
    with torch.no_grad():
        feats = model.student.extract_feat(inputs)
        log_p = mmseg_probs(model.student, feats, (8, 8)).log()
        t = model.teacher._forward(inputs)
    assert torch.allclose(losses['loss_kd'], kd_loss(log_p, t, labels),
                          rtol=1e-5)
    model.zero_grad()
    losses['loss_kd'].backward()
    head = model.student.decode_head
    assert head.cls_embed.weight.grad.abs().sum() > 0
    assert head.mask_embed.weight.grad.abs().sum() > 0
    model.eval()
    reference.eval()
    got = model.predict(inputs, copy.deepcopy(samples))
    want = reference.predict(inputs, copy.deepcopy(samples))
    assert torch.equal(got[0].seg_logits.data, want[0].seg_logits.data)


# ----------------------------------------------------------------------
# MMSeg's builders and inference APIs
# ----------------------------------------------------------------------
def distiller_cfg(**changes):
    cfg = dict(type='SegDistiller', student=segmentor('cascade'),
               teacher=segmentor('encdec', width=TEACHER_WIDTH),
               teacher_ckpt='/no/such/teacher.pth',
               distill_losses=dict(type='KDLoss'))
    cfg.update(changes)
    return ConfigDict(cfg)


def test_build_segmentor_and_its_test_cfg():
    """MMSeg's public builder passes train_cfg / test_cfg to every
    segmentor: None keeps the student's own, a config given to the
    distiller (in the model config or, deprecated, as an argument)
    reaches the student."""
    from mmseg.models import build_segmentor
    slide = dict(mode='slide', crop_size=(8, 8), stride=(6, 6))
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = build_segmentor(distiller_cfg())
        assert isinstance(model, SegDistiller)
        assert model.student.test_cfg == dict(mode='whole')
        model = build_segmentor(distiller_cfg(test_cfg=slide,
                                              train_cfg=dict(x=1)))
        assert model.student.test_cfg == slide
        assert model.student.train_cfg == dict(x=1)
        with pytest.warns(UserWarning, match='deprecated'):
            model = build_segmentor(distiller_cfg(), test_cfg=slide)
        assert model.student.test_cfg == slide
    assert model._teacher is None  # building never builds the teacher


def test_init_model_and_inferencer_with_a_cascade_student(tmp_path):
    """init_model (a checkpoint without class names: it reads
    ``decode_head.num_classes``, the final stage's) and MMSegInferencer
    on a cascade-student distillation config give the plain student's
    predictions, and never build the teacher (its checkpoint does not
    exist)."""
    import numpy as np
    from mmseg.apis import MMSegInferencer, inference_model, init_model
    pipeline = [dict(type='LoadImageFromFile'), dict(type='PackSegInputs')]
    common = dict(default_scope='mmseg', test_pipeline=pipeline,
                  test_dataloader=dict(dataset=dict(pipeline=pipeline)),
                  visualizer=dict(type='SegLocalVisualizer'))
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmseg'):
        built = MODELS.build(distiller_cfg())
    sharpen(built.student)
    ckpt = str(tmp_path / 'distiller.pth')
    torch.save({'state_dict': built.state_dict(), 'meta': {}}, ckpt)
    student = str(tmp_path / 'student.pth')
    # class names here: MMSeg's own init_model reads a plain cascade's
    # decode_head.num_classes without them, and fails (a ModuleList)
    meta = dict(dataset_meta=dict(classes=list('abcde'), palette=[[0] * 3]
                                  * 5))
    torch.save({'state_dict': built.student.state_dict(), 'meta': meta},
               student)
    cfg = Config(dict(model=distiller_cfg(), **common))
    plain_cfg = Config(dict(model=segmentor('cascade'), **common))
    img = (np.random.default_rng(0).random((16, 16, 3)) * 255).astype(
        np.uint8)
    with pytest.warns(UserWarning, match='num_classes'):
        model = init_model(cfg, ckpt, device='cpu')
    assert model.decode_head is model.student.decode_head[-1]
    got = inference_model(model, img)
    want = inference_model(init_model(plain_cfg, student, device='cpu'),
                           img)
    assert torch.equal(got.seg_logits.data, want.seg_logits.data)
    assert len(torch.unique(got.pred_sem_seg.data)) > 1
    inferencer = MMSegInferencer(model=cfg, weights=ckpt, device='cpu')
    out = inferencer(img, return_datasamples=True)
    assert torch.equal(out.pred_sem_seg.data, want.pred_sem_seg.data)
    assert model._teacher is None
    assert inferencer.model._teacher is None


# ----------------------------------------------------------------------
# no error swallowed on the way to the user
# ----------------------------------------------------------------------
def test_attribute_error_in_the_teacher_check_reaches_the_user(
        monkeypatch):
    """An AttributeError raised while checking the teacher comes out with
    its own message from every path that builds the teacher, not as
    nn.Module.__getattr__'s "object has no attribute 'teacher'"."""

    def broken(self, teacher):
        return teacher.decode_head.planted_missing_attribute

    monkeypatch.setattr(SegDistiller, 'check_teacher', broken)
    model = SegDistiller(student=segmentor('encdec'),
                         teacher=segmentor('cascade'))
    message = "has no attribute 'planted_missing_attribute'"
    with pytest.raises(RuntimeError, match=message) as info:
        model.teacher  # noqa: B018  (the property)
    assert isinstance(info.value.__cause__, AttributeError)
    with pytest.raises(AttributeError, match=message):
        model.init_weights()
    inputs, samples, _ = batch(model, 5)
    with pytest.raises(AttributeError, match=message):
        model.loss(inputs, samples)
    assert model._teacher is None  # nothing half-built was kept
