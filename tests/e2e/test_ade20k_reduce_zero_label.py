"""ADE20K layout: label 0 ("other") becomes the ignore index through
``reduce_zero_label`` and is ignored, on the values, by the student's own
cross-entropy and by the distillation losses (main and auxiliary heads);
and our shipped ADE20K GDKD config (shrunk) trains through tools/."""
import json

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from gdkd_seg.models.losses import gdkd_loss
from tests.conftest import (REPO, make_tiny_ade20k, make_tiny_teacher_ckpt,
                            run_tool)

CFG = 'tests/configs/tiny_gdkd_ade20k.py'


@pytest.fixture(scope='module')
def ade(tmp_path_factory):
    root = tmp_path_factory.mktemp('ade20k')
    data = make_tiny_ade20k(str(root / 'data'))
    teacher = make_tiny_teacher_ckpt(str(root / 'teacher.pth'),
                                     config='tiny_deeplabv3_ade20k.py')
    return dict(root=root, data=data, teacher=teacher)


def build(ade, monkeypatch):
    """The distiller of the tiny config and one training batch through
    the config's own dataset and pipeline."""
    from mmseg.registry import DATASETS, MODELS
    monkeypatch.setenv('GDKD_TINY_DATA', ade['data'])
    cfg = Config.fromfile(str(REPO / CFG))
    init_default_scope('mmseg')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    batch = pseudo_collate([dataset[0], dataset[1]])
    cfg.model.teacher_ckpt = ade['teacher']
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    with torch.no_grad():  # predictions that vary across pixels
        model.student.decode_head.conv_seg.weight.normal_(0, 1)
        model.student.auxiliary_head.conv_seg.weight.normal_(0, 1)
    model.eval()  # no dropout: the same logits in every forward
    data = model.data_preprocessor(batch, training=True)
    return model, data['inputs'], data['data_samples']


def raw_labels(samples):
    """The label files as written (ADE's raw 0..5), flipped as the
    pipeline flipped each image."""
    out = []
    for s in samples:
        raw = cv2.imread(s.seg_map_path, cv2.IMREAD_UNCHANGED)
        if s.flip:
            assert s.flip_direction == 'horizontal'
            raw = raw[:, ::-1]
        out.append(torch.from_numpy(raw.astype(np.int64)))
    return torch.stack(out)  # (N, H, W)


def logits(model, inputs):
    with torch.no_grad():
        out = []
        for net in (model.student, model.teacher):
            feats = net.extract_feat(inputs)
            out.append((net.decode_head.forward(feats),
                        net.auxiliary_head.forward(feats)))
    return out  # [(student main, aux), (teacher main, aux)]


def masked_mean(values: torch.Tensor, mask: torch.Tensor):
    return values[mask].sum() / mask.sum()


def test_label_zero_is_ignored_by_ce_and_distillation(ade, monkeypatch):
    model, inputs, samples = build(ade, monkeypatch)
    raw = raw_labels(samples)
    assert (raw == 0).any() and (raw > 0).any()
    # the pipeline's labels: 0 -> 255 (ignored), c -> c - 1
    gt = torch.stack([s.gt_sem_seg.data[0] for s in samples])
    assert torch.equal(gt, torch.where(raw == 0, 255, raw - 1))
    assert model.ignore_index == 255

    losses = model.loss(inputs, samples)
    (s_main, s_aux), (t_main, t_aux) = logits(model, inputs)
    assert s_main.shape[1] == 150 and s_main.shape[2:] == (8, 16)

    # the student's own CE by hand from the raw files: mean over all
    # pixels (MMSeg's CrossEntropyLoss, avg_non_ignore=False) of the CE
    # at pixels whose raw label is not 0, which contribute 0
    valid = raw > 0
    for key, s, weight in (('decode.loss_ce', s_main, 1.0),
                           ('aux.loss_ce', s_aux, 0.4)):
        up = F.interpolate(s, raw.shape[1:], mode='bilinear',
                           align_corners=False)
        logp = up.log_softmax(1)  # (N, 150, H, W)
        nll = -logp.gather(1, (raw - 1).clamp_min(0)[:, None])[:, 0]
        expected = weight * nll[valid].sum() / valid.numel()
        assert torch.allclose(losses[key], expected, rtol=1e-5), key

    # distillation by hand: GDKD per pixel over the logits' grid, averaged
    # over the pixels whose raw label (top-left of each 8x8 block) is not 0
    small = raw[:, ::8, ::8] != 0  # (N, 8, 16)
    assert small.any() and not small.all()
    for key, s, t, weight in (('loss_gdkd', s_main, t_main, 1.0),
                              ('aux.loss_gdkd', s_aux, t_aux, 0.4)):
        per_pixel = gdkd_loss(s, t, None, k=3, w2=2.0, reduction='none')
        expected = weight * masked_mean(per_pixel, small)
        assert torch.allclose(losses[key], expected, rtol=1e-5), key

    # garbage in the logits of label-0 pixels changes no distillation
    # value; the same garbage at a labelled pixel does
    def perturbed(where):
        noise = torch.randn(1, 150, 8, 16,
                            generator=torch.Generator().manual_seed(1))
        noise = noise * 1e3 * where[:, None]
        originals = {}
        for net in (model.student, model.teacher):
            for head in (net.decode_head, net.auxiliary_head):
                originals[head] = head.forward
                head.forward = (lambda f: lambda feats: f(feats) + noise)(
                    head.forward)
        try:
            return model.loss(inputs, samples)
        finally:
            for head, forward in originals.items():
                head.forward = forward

    other = perturbed(~small)
    for key in ('loss_gdkd', 'aux.loss_gdkd', 'gdkd_high',
                'gdkd_low_other', 'aux.gdkd_high'):
        assert torch.equal(other[key], losses[key]), key
    one = torch.zeros_like(small)
    one[small.nonzero()[0].unbind()] = True
    assert not torch.allclose(perturbed(one)['loss_gdkd'],
                              losses['loss_gdkd'])


def test_shipped_ade20k_pipelines_reduce_zero_label():
    """The shipped configs load ADE20K as MMSeg does (label 0 ignored)."""
    for name in ('gdkd/deeplabv3_r101_to_r18_ade20k.py',
                 'gdkd/pspnet_r101_to_r18_ade20k.py',
                 'baselines/deeplabv3_r18_ade20k.py',
                 'baselines/pspnet_r18_ade20k.py'):
        cfg = Config.fromfile(str(REPO / 'configs' / name),
                              import_custom_modules=False)
        for loader in (cfg.train_dataloader, cfg.val_dataloader):
            assert loader.dataset.type == 'ADE20KDataset'
            loads = [t for t in loader.dataset.pipeline
                     if t['type'] == 'LoadAnnotations']
            assert loads and all(t['reduce_zero_label'] for t in loads)
        model = cfg.model.get('student', cfg.model)
        assert model.decode_head.num_classes == 150
        assert model.auxiliary_head.num_classes == 150


def test_tiny_ade20k_run_through_the_tools(ade, tmp_path):
    env = {'GDKD_TINY_DATA': ade['data']}
    run_tool('tools/train.py', CFG, '--work-dir', str(tmp_path),
             '--cfg-options', f"model.teacher_ckpt={ade['teacher']}",
             'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
             'default_hooks.checkpoint.interval=2', env=env)
    log = sorted(tmp_path.glob('*/vis_data/scalars.json'))[-1]
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    train = [r for r in rows if 'loss_gdkd' in r]
    assert len(train) == 2
    for key in ('loss_gdkd', 'aux.loss_gdkd', 'decode.loss_ce'):
        assert all(np.isfinite(r[key]) for r in train), key
    assert any('mIoU' in r for r in rows)
