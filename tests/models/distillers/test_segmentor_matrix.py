"""SegDistiller through the segmentor interface MMSeg's own tests use,
over the matrix {EncoderDecoder, Cascade (2 stages), binary head, 1-2
auxiliary heads} x {student, teacher, both} x {GDKD, KD, DKD, CWD}.

Our harness, written after reading MMSeg 1.2.2's
``tests/test_models/test_segmentors`` (``_segmentor_forward_train_test``,
``_segmentor_predict``, the TTA test), with tiny registered models
(``tiny_segmentors.py``). For each pair it checks what a user relies on:

- ``loss``: the student's own losses are exactly MMSeg's (same keys, same
  values under the same seed, so the same random draws), plus one
  distillation term per distilled map, equal to the loss function on the
  maps MMSeg's own forward gives (the final stage, an earlier stage, an
  auxiliary head; a one-channel map as ``(0, z)``);
- ``train_step`` changes the student only;
- ``val_step``, ``predict``, ``tensor``, slide inference (a ``test_cfg``
  given to the distiller) and ``SegTTAModel`` give exactly what the plain
  MMSeg student with the same weights gives.
"""
import copy

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData

import gdkd_seg  # noqa: F401,I001  (mmcv.ops stand-in before mmseg.models)
from mmseg.models import SegTTAModel
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from gdkd_seg.models.distillers import SegDistiller
from gdkd_seg.models.losses import cwd_loss, dkd_loss, gdkd_loss, kd_loss
from tests.models.distillers.tiny_segmentors import (NUM_CLASSES, STRIDE,
                                                     segmentor)

SIZE = (16, 16)
SLIDE = dict(mode='slide', crop_size=(8, 8), stride=(6, 6))
TEACHER_WIDTH = 6  # another architecture than the student's (width 4)

# name -> (loss config, the loss function with the same settings); GDKD's
# k must be < C: 1 for the two classes of a binary head
LOSSES = {
    'GDKD': lambda C: (dict(type='GDKDLoss', k=1 if C == 2 else 2),
                       lambda s, t, y: gdkd_loss(s, t, y, k=1 if C == 2
                                                 else 2)),
    'KD': lambda C: (dict(type='KDLoss', temperature=2.0),
                     lambda s, t, y: kd_loss(s, t, y, temperature=2.0)),
    'DKD': lambda C: (dict(type='DKDLoss', beta=2.0),
                      lambda s, t, y: dkd_loss(s, t, y, beta=2.0)),
    'CWD': lambda C: (dict(type='CWDLoss', temperature=2.0),
                      lambda s, t, y: cwd_loss(s, t, y, temperature=2.0)),
}
# (student kind, teacher kind, distiller options)
PAIRS = {
    'encdec': ('encdec', 'encdec', {}),
    'cascade-student': ('cascade', 'encdec', {}),
    'cascade-teacher': ('encdec', 'cascade', {}),
    'cascade-both': ('cascade', 'cascade', dict(stage_distill_weight=0.4)),
    'binary-student': ('binary', 'twoclass', {}),
    'binary-teacher': ('twoclass', 'binary', {}),
    'binary-both': ('binary', 'binary', {}),
    'aux1-student': ('aux1', 'encdec', {}),
    'aux1-teacher': ('encdec', 'aux1', {}),
    'aux1-both': ('aux1', 'aux1', dict(aux_distill_weight=0.4)),
    'aux2-student': ('aux2', 'encdec', {}),
    'aux2-teacher': ('encdec', 'aux2', {}),
    'aux2-both': ('aux2', 'aux2', dict(aux_distill_weight=[0.4, 0.2])),
}


def num_classes(kind: str) -> int:
    return 2 if kind in ('binary', 'twoclass') else NUM_CLASSES


def make_data(C: int, n: int = 2, seed: int = 0) -> dict:
    """A data batch as a dataloader gives it: images ``(3, H, W)`` and
    samples with labels (an ignored band) and image metadata."""
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i in range(n):
        inputs.append(torch.rand(3, *SIZE, generator=g) * 255)
        label = torch.randint(0, C, (1, *SIZE), generator=g)
        label[:, :2] = 255
        samples.append(SegDataSample(
            gt_sem_seg=PixelData(data=label),
            metainfo=dict(img_shape=SIZE, ori_shape=SIZE, pad_shape=SIZE,
                          img_path=f'img{i}.png')))
    return dict(inputs=inputs, data_samples=samples)


def flipped(data: dict) -> dict:
    """The horizontally flipped batch, marked as MMSeg's TTA marks it."""
    out = copy.deepcopy(data)
    out['inputs'] = [x.flip(-1) for x in out['inputs']]
    for s in out['data_samples']:
        s.set_metainfo(dict(flip=True, flip_direction='horizontal'))
    return out


def build(s_kind, t_kind, loss_cfg, **kwargs) -> SegDistiller:
    torch.manual_seed(0)
    model = SegDistiller(student=segmentor(s_kind),
                         teacher=segmentor(t_kind, width=TEACHER_WIDTH),
                         distill_losses=loss_cfg, **kwargs)
    sharpen(model.student)
    sharpen(model.build_teacher())
    return model


def sharpen(model) -> None:
    """Large classifier weights, no bias: logits (and predictions) that
    vary from pixel to pixel, not the near-constant ones of a fresh
    head."""
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith('conv_seg.weight'):
                param.copy_(4 * torch.randn(param.shape, generator=g))
            elif name.endswith('conv_seg.bias'):
                param.zero_()


def plain_student(model: SegDistiller, kind: str):
    """MMSeg's own model of the student config, with its weights."""
    with DefaultScope.overwrite_default_scope('mmseg'):
        plain = MODELS.build(segmentor(kind))
    plain.load_state_dict(model.student.state_dict())
    return plain


def two_class(x):
    """(0, z) of a binary map, written out again (independent of the
    distiller's helper): one channel z, or two channels (a, b) -> b - a."""
    z = x if x.shape[1] == 1 else x[:, 1:] - x[:, :1]
    return torch.cat([torch.zeros_like(z), z], 1)


def maps(model, inputs):
    """The maps to distil, read off MMSeg's own forward functions: the
    final stage by ``_forward`` (MMSeg's tensor mode), stage 0 and the
    auxiliary heads by their ``forward``."""
    feats = model.extract_feat(inputs)
    out = {'final': model._forward(inputs)}
    if isinstance(model.decode_head, torch.nn.ModuleList):
        out['stage0'] = model.decode_head[0].forward(feats)
    heads = getattr(model, 'auxiliary_head', None)
    if not isinstance(heads, torch.nn.ModuleList):
        heads = [] if heads is None else [heads]
    for i, head in enumerate(heads):
        out[f'aux{i}'] = head.forward(feats)
    return out


@pytest.mark.parametrize('loss', sorted(LOSSES))
@pytest.mark.parametrize('pair', list(PAIRS))
def test_segmentor_interface(pair, loss):
    s_kind, t_kind, options = PAIRS[pair]
    C = num_classes(s_kind)
    loss_cfg, loss_fn = LOSSES[loss](C)
    model = build(s_kind, t_kind, loss_cfg, **options)
    data = make_data(C)
    plain = plain_student(model, s_kind)

    # --- loss: MMSeg's own student losses, same random draws ---
    batch = model.data_preprocessor(copy.deepcopy(data), True)
    inputs, samples = batch['inputs'], batch['data_samples']
    torch.manual_seed(1)
    losses = model(inputs, copy.deepcopy(samples), mode='loss')
    torch.manual_seed(1)
    own = plain.loss(inputs, copy.deepcopy(samples))
    for key, value in own.items():
        assert torch.equal(losses[key], value), key
    name = loss_cfg['type'].replace('Loss', '').lower()
    taps = {'': 'final'}
    if options.get('stage_distill_weight'):
        taps['decode_0.'] = 'stage0'
    aux = options.get('aux_distill_weight', 0)
    if aux:
        weights = aux if isinstance(aux, list) else [aux]
        prefixes = ['aux.'] if s_kind == 'aux1' else ['aux_0.', 'aux_1.']
        taps.update({p: f'aux{i}' for i, p in enumerate(prefixes)})
    assert {k for k in losses if 'loss' in k} == {
        *[k for k in own if 'loss' in k],
        *[f'{p}loss_{name}' for p in taps]}

    # --- the distillation terms, on MMSeg's own maps (no dropout) ---
    model.eval()
    plain.eval()
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        s_maps = maps(plain, inputs)
        t_maps = maps(model.teacher, inputs)
    gt = torch.stack([s.gt_sem_seg.data[0] for s in samples])
    labels = gt[:, ::STRIDE, ::STRIDE]  # top-left pixel of each block
    for prefix, tap in taps.items():
        s, t = s_maps[tap], t_maps[tap]
        assert s.shape[2:] == t.shape[2:] == labels.shape[1:]
        if 1 in (s.shape[1], t.shape[1]):
            s, t = two_class(s), two_class(t)
        weight = {'': 1.0, 'decode_0.': 0.4}.get(prefix)
        if weight is None:
            weight = weights[int(tap[-1])]
        expected = weight * loss_fn(s, t, labels)
        assert torch.allclose(losses[f'{prefix}loss_{name}'], expected,
                              rtol=1e-5, atol=1e-7), prefix
        assert expected > 0
    model.train()
    plain.train()

    # --- train_step: only the student changes ---
    teacher_before = copy.deepcopy(model.teacher.state_dict())
    student_before = copy.deepcopy(model.student.state_dict())
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    log_vars = model.train_step(copy.deepcopy(data), optim)
    assert torch.isfinite(log_vars['loss'])
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key
    assert any(not torch.equal(v, student_before[k])
               for k, v in model.student.state_dict().items())

    # --- val_step / predict / tensor: the plain student's, exactly ---
    plain.load_state_dict(model.student.state_dict())
    model.eval()
    plain.eval()

    def same(got, want):
        assert len(got) == len(want) == len(data['inputs'])
        for a, b in zip(got, want):
            assert a.pred_sem_seg.shape == SIZE
            assert torch.equal(a.seg_logits.data, b.seg_logits.data)
            assert torch.equal(a.pred_sem_seg.data, b.pred_sem_seg.data)
        return got

    whole = same(model.val_step(copy.deepcopy(data)),
                 plain.val_step(copy.deepcopy(data)))
    # logits that vary from pixel to pixel: the comparisons mean something
    assert whole[0].seg_logits.data.flatten(1).std(1).min() > 1e-3
    same(model.predict(inputs, copy.deepcopy(samples)),
         plain.predict(inputs, copy.deepcopy(samples)))
    assert torch.equal(model(inputs, mode='tensor'),
                       plain(inputs, mode='tensor'))

    # --- slide inference: a test_cfg given to the distiller ---
    slide = SegDistiller(student=segmentor(s_kind),
                         teacher=segmentor(t_kind, width=TEACHER_WIDTH),
                         distill_losses=loss_cfg, test_cfg=SLIDE,
                         **options).eval()
    slide.student.load_state_dict(model.student.state_dict())
    assert slide.student.test_cfg.mode == 'slide'
    plain.test_cfg = ConfigDict(SLIDE)
    windows = same(slide.val_step(copy.deepcopy(data)),
                   plain.val_step(copy.deepcopy(data)))
    # the windows ran: their borders give other logits than one pass
    assert not torch.equal(windows[0].seg_logits.data,
                           whole[0].seg_logits.data)
    plain.test_cfg = ConfigDict(mode='whole')

    # --- SegTTAModel around the distiller (what --tta builds) ---
    tta = dict(inputs=[data['inputs'], flipped(data)['inputs']],
               data_samples=[data['data_samples'],
                             flipped(data)['data_samples']])
    got = SegTTAModel(module=model).test_step(copy.deepcopy(tta))
    want = SegTTAModel(module=plain).test_step(copy.deepcopy(tta))
    for a, b in zip(got, want):
        assert torch.equal(a.pred_sem_seg.data, b.pred_sem_seg.data)
