"""configs/cirkd_protocol does what CIRKD's code does: its train pipeline,
its learning rates, its evaluation of an image and its training losses,
each checked against CIRKD's formulas computed here (models converted
from tests/models/cirkd_reference.py). Settings with no cheap behaviour
to observe are checked as values, with the source of each."""
from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmseg.registry import PARAM_SCHEDULERS
from mmseg.structures import SegDataSample

import gdkd_seg  # noqa: F401  (registers the models)
from tests.apis.test_convert_cirkd import THIN, build, protocol_model
from tests.conftest import REPO
from tests.models import cirkd_reference as ref

PROTOCOL = REPO / 'configs' / 'cirkd_protocol'
BGR_MEAN = torch.tensor([104.00698793, 116.66876762, 122.67891434])


def cirkd_config(method: str = 'baselines',
                 student: str = 'deeplabv3-r18') -> Config:
    if method == 'baselines':
        name = f'{student}_8xb2-40k_cityscapes-512x1024.py'
    else:
        name = (f'{method}_deeplabv3-r101_to_{student}_8xb2-40k_'
                'cityscapes-512x1024.py')
    return Config.fromfile(str(PROTOCOL / method / name))


def test_train_pipeline_scales_flips_and_leaves_colours_alone():
    """CIRKD's generate_scale_label: one of the 16 factors 0.5, 0.6, ...,
    2.0 (cv2 rounds the size), a flip half the time, no photometric
    change (a flat image stays flat, its colour unchanged)."""
    cfg = cirkd_config()
    with DefaultScope.overwrite_default_scope('mmseg'):
        pipeline = Compose(cfg.train_pipeline[2:])  # after loading
    np.random.seed(0)
    img = np.empty((40, 80, 3), np.uint8)
    img[:] = (10, 20, 30)
    label = np.zeros((40, 80), np.uint8)
    label[:, 40:] = 1  # left 0, right 1: a flip shows
    sizes, flips = Counter(), 0
    for _ in range(300):
        out = pipeline(dict(img=img.copy(), gt_seg_map=label.copy(),
                            seg_fields=['gt_seg_map'], img_shape=(40, 80),
                            ori_shape=(40, 80)))
        image, seg = out['inputs'], out['data_samples'].gt_sem_seg.data[0]
        sizes[tuple(image.shape[1:])] += 1
        assert (image == torch.tensor([10, 20, 30])[:, None, None]).all()
        flips += int(seg[0, 0] == 1)
    # int(x * r + 0.5): cv2.resize's rounding of fx * width
    assert set(sizes) == {(int(40 * r / 10 + .5), int(80 * r / 10 + .5))
                          for r in range(5, 21)}
    assert 110 < flips < 190


def test_train_pipeline_crops_512x1024():
    cfg = cirkd_config()
    with DefaultScope.overwrite_default_scope('mmseg'):
        pipeline = Compose(cfg.train_pipeline[2:])
    np.random.seed(1)
    img = np.random.randint(0, 255, (1024, 2048, 3), np.uint8)
    for _ in range(3):
        out = pipeline(dict(img=img, gt_seg_map=img[..., 0].copy(),
                            seg_fields=['gt_seg_map'],
                            img_shape=(1024, 2048), ori_shape=(1024, 2048)))
        assert out['inputs'].shape == (3, 512, 1024)


@pytest.mark.parametrize('method, floor', [('baselines', 0.0), ('cwd', 0.0),
                                           ('gdkd', 1e-4), ('kd', 1e-4)])
def test_learning_rate_follows_the_source(method, floor):
    """CIRKD: 0.02 (1 - i / 40000)^0.9; seg-gdkd / DIST: 1e-4 +
    (0.02 - 1e-4) (1 - i / 40000)^0.9, at every 0-based iteration i (their
    adjust_lr(iter=iteration - 1)); SGD momentum 0.9, weight decay 1e-4
    (CIRKD) / 5e-4 (seg-gdkd)."""
    cfg = cirkd_config(method)
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], **{
        k: v for k, v in cfg.optim_wrapper.optimizer.items() if k != 'type'})
    assert optimizer.defaults['momentum'] == 0.9
    assert optimizer.defaults['weight_decay'] == (1e-4 if floor == 0
                                                  else 5e-4)
    wrapper = OptimWrapper(optimizer)
    scheduler = PARAM_SCHEDULERS.build(
        dict(cfg.param_scheduler[0], optimizer=wrapper))
    lrs = []
    for _ in range(40000):
        lrs.append(optimizer.param_groups[0]['lr'])
        scheduler.step()
    want = floor + (0.02 - floor) * (1 - np.arange(40000) / 40000)**0.9
    np.testing.assert_allclose(lrs, want, rtol=1e-9, atol=0)
    assert cfg.train_cfg.max_iters == 40000


def batch(image: torch.Tensor, label: torch.Tensor = None):
    """One image as MMSeg's loader gives it (uint8 BGR, CHW)."""
    h, w = image.shape[1:]
    sample = SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                         pad_shape=(h, w)))
    if label is not None:
        sample.gt_sem_seg = PixelData(data=label[None])
    return dict(inputs=[image], data_samples=[sample])


def converted(arch: str, seed: int = 0):
    """A thin reference CIRKD model with random weights and the protocol
    model loaded with the same weights (the conversion is
    tests/apis/test_convert_cirkd.py's subject)."""
    from gdkd_seg.apis.convert_cirkd import convert_state_dict
    make_ref, overrides = THIN[arch]
    cirkd = ref.randomize(make_ref(), seed=seed)
    model = build(protocol_model(arch, **overrides))
    state, _ = convert_state_dict(cirkd.state_dict(), model.state_dict())
    model.load_state_dict(state, strict=True)
    return cirkd, model


@pytest.mark.parametrize('arch', ['deeplabv3_r18', 'pspnet_r18'])
def test_inference_is_cirkds_evaluation(arch):
    """An image through MMSeg's predict (the data preprocessor's
    normalisation, whole-image inference, logits resized to the image)
    gives what CIRKD's eval.py computes: BGR minus the mean, the model,
    bilinear upsampling with align_corners=True."""
    cirkd, model = converted(arch)
    torch.manual_seed(3)
    image = torch.randint(0, 256, (3, 64, 96), dtype=torch.uint8)
    with torch.no_grad():
        sample = model.test_step(batch(image))[0]
        x = image.float()[None] - BGR_MEAN[None, :, None, None]
        want = F.interpolate(cirkd(x)[0], (64, 96), mode='bilinear',
                             align_corners=True)[0]
    torch.testing.assert_close(sample.seg_logits.data, want, rtol=1e-5,
                               atol=1e-5)
    assert torch.equal(sample.pred_sem_seg.data[0], want.argmax(0))


@pytest.mark.parametrize('arch', ['deeplabv3_r18', 'deeplabv3_mbv2'])
def test_training_losses_are_cirkds(arch):
    """The student's own losses are CIRKD's SegCrossEntropyLoss: logits
    upsampled with align_corners=True to the labels, cross-entropy
    averaged over the non-ignored pixels, plus 0.4 x the same on the
    auxiliary logits for ResNet students (none for MobileNetV2)."""
    cirkd, model = converted(arch, seed=4)
    torch.manual_seed(5)
    image = torch.randint(0, 256, (3, 64, 96), dtype=torch.uint8)
    label = torch.randint(0, 19, (64, 96))
    label[torch.rand(64, 96) < 0.3] = 255
    data = model.data_preprocessor(batch(image, label), training=False)
    with torch.no_grad():
        losses = model.loss(data['inputs'], data['data_samples'])
        outs = cirkd(image.float()[None] - BGR_MEAN[None, :, None, None])

    def ce(logits):
        up = F.interpolate(logits, (64, 96), mode='bilinear',
                           align_corners=True)
        return F.cross_entropy(up, label[None], ignore_index=255)

    torch.testing.assert_close(losses['decode.loss_ce'], ce(outs[0]),
                               rtol=1e-5, atol=1e-6)
    if arch == 'deeplabv3_mbv2':
        assert not any(k.startswith('aux') for k in losses)
    else:
        torch.testing.assert_close(losses['aux.loss_ce'], 0.4 * ce(outs[1]),
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('student', ['deeplabv3-r18', 'deeplabv3-mbv2',
                                     'pspnet-r18'])
def test_protocol_values(student):
    """What has no cheap behaviour to observe, as values (sources in the
    configs' comments)."""
    base, kd = cirkd_config('baselines', student), cirkd_config('kd', student)
    for cfg, val_every in ((base, 800), (kd, 400)):
        assert cfg.train_dataloader.batch_size == 2  # x 8 GPUs = 16
        assert cfg.train_cfg.val_interval == val_every
        hook = cfg.default_hooks.checkpoint
        assert (hook.save_best, hook.rule, hook.interval) == (
            'mIoU', 'greater', val_every)
        crop = [t for t in cfg.train_pipeline if t.type == 'RandomCrop'][0]
        assert crop.crop_size == (512, 1024) and crop.cat_max_ratio == 1.0
        assert [t.type for t in cfg.test_pipeline] == [
            'LoadImageFromFile', 'LoadAnnotations', 'PackSegInputs']
        student_cfg = cfg.model.get('student', cfg.model)
        assert student_cfg.test_cfg.mode == 'whole'
        assert student_cfg.backbone.norm_cfg.type == 'SyncBN'
        assert student_cfg.data_preprocessor.size == (512, 1024)
    distill = kd.model
    assert distill.aux_distill_weight == (0.0 if 'mbv2' in student else 0.4)
    assert distill.warmup_iters == 0
    assert Config.fromfile(distill.teacher).model.decode_head.channels == 256


def test_distillation_terms_count_the_pixels_the_sources_count():
    """seg-gdkd's KD and GDKD (no ignore index) and CIRKD's CWD see every
    pixel, labels or not: KD is the mean over all pixels of
    KL(teacher || student) at T 1; GDKD and CWD do not change with the
    labels. seg-gdkd's DKD leaves ignored pixels out (it needs labels)."""
    from gdkd_seg.models.distillers.seg_distiller import \
        downsample_labels
    from gdkd_seg.registry import MODELS as LOSSES
    torch.manual_seed(6)
    s, t = torch.randn(2, 19, 8, 12), torch.randn(2, 19, 8, 12) * 2
    labels = torch.randint(0, 19, (2, 64, 96))
    labels[:, :32] = 255  # the top half ignored
    # at the logits' resolution, as SegDistiller passes them
    labels = downsample_labels(labels, s.shape[2:])  # (2, 8, 12)
    losses = {m: [LOSSES.build(c) for c in cirkd_config(m).model.
                  distill_losses] for m in ('kd', 'gdkd', 'cwd', 'dkd')}
    (kd, ), (gdkd, ), (cwd, ), (dkd, ) = (losses[m] for m in losses)
    want = F.kl_div(F.log_softmax(s, 1), F.log_softmax(t, 1),
                    reduction='none', log_target=True).sum(1).mean()
    torch.testing.assert_close(kd(s, t, labels), want, rtol=1e-5, atol=0)
    for loss in (gdkd, cwd):
        torch.testing.assert_close(loss(s, t, labels), loss(s, t, None),
                                   rtol=0, atol=0)
    garbage = s.clone()
    garbage[:, :, :4] = 1e4  # the ignored rows of the 1/8 logits
    torch.testing.assert_close(dkd(garbage, t, labels), dkd(s, t, labels),
                               rtol=0, atol=0)
