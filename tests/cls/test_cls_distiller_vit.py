"""ClsDistiller with transformer students: which logits are distilled
(class token; DeiT's distillation token when the config turns it on),
the teacher's input size, and float32 loss maths under mixed precision."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict

import gdkd_seg.cls  # noqa: F401  (what the cls configs import)
from gdkd_seg.models.losses import gdkd3_loss, kd_loss
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from mmpretrain.utils import register_all_modules

register_all_modules(init_default_scope=False)

NUM_CLASSES = 10
ARCH = dict(embed_dims=16, num_layers=1, num_heads=2, feedforward_channels=32)


def vit(dist_token: bool = False):
    """A one-layer ViT on 16-pixel images, patch 8 (2x2 tokens)."""
    return dict(
        type='ImageClassifier',
        backbone=dict(
            type='DistilledVisionTransformer'
            if dist_token else 'VisionTransformer',
            arch=ARCH, img_size=16, patch_size=8),
        head=dict(
            type='DeiTClsHead' if dist_token else 'VisionTransformerClsHead',
            num_classes=NUM_CLASSES, in_channels=16,
            # non-zero heads: the two must give different logits
            init_cfg=dict(type='Normal', layer='Linear', std=1.0)),
        data_preprocessor=dict(type='ClsDataPreprocessor',
                               mean=[128.] * 3, std=[64.] * 3))


def cnn():
    return dict(
        type='ImageClassifier',
        backbone=dict(type='CIFARResNet', arch='resnet8'),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=NUM_CLASSES,
                  in_channels=64),
        data_preprocessor=dict(type='ClsDataPreprocessor',
                               mean=[128.] * 3, std=[64.] * 3))


def build(dist_token=False, **kwargs):
    cfg = dict(type='ClsDistiller', student=vit(dist_token), teacher=cnn(),
               teacher_ckpt=None, ce_weight=0.5,
               distill_losses=dict(type='KDLoss', temperature=2.0))
    cfg.update(kwargs)
    torch.manual_seed(0)
    model = MODELS.build(ConfigDict(cfg))
    model.init_weights()
    return model


def batch(size=16, n=4):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 3, size, size, generator=g)
    labels = torch.randint(0, NUM_CLASSES, (n, ), generator=g)
    return x, labels, [DataSample().set_gt_label(int(y)) for y in labels]


def test_class_token_logits_without_distillation_token():
    """A ViT student: CE and KD both on the class-token head's logits."""
    model = build()
    assert not model.distill_token
    x, labels, samples = batch()
    losses = model.loss(x, samples)
    student = model.student
    with torch.no_grad():
        logits = student.head(student.extract_feat(x))
        t_logits = model.teacher.head(model.teacher.extract_feat(x))
    torch.testing.assert_close(losses['loss'].detach(),
                               0.5 * F.cross_entropy(logits, labels))
    torch.testing.assert_close(losses['loss_kd'].detach(),
                               kd_loss(logits, t_logits, temperature=2.0))


def test_distillation_token_head_gets_the_distillation_loss():
    """DeiT (DistilledVisionTransformer + DeiTClsHead): CE on the class
    token's head, KD on the distillation token's head, as DeiT trains."""
    model = build(dist_token=True)
    assert model.distill_token
    x, labels, samples = batch()
    losses = model.loss(x, samples)
    head = model.student.head
    with torch.no_grad():
        cls_token, dist_token = model.student.extract_feat(x)[-1]
        cls_logits = head.layers.head(cls_token)
        dist_logits = head.layers.head_dist(dist_token)
        t_logits = model.teacher.head(model.teacher.extract_feat(x))
    assert not torch.allclose(cls_logits, dist_logits)
    torch.testing.assert_close(losses['loss'].detach(),
                               0.5 * F.cross_entropy(cls_logits, labels))
    torch.testing.assert_close(losses['loss_kd'].detach(),
                               kd_loss(dist_logits, t_logits,
                                       temperature=2.0))
    # and the gradients go there: KD reaches only the distillation head,
    # CE only the class head
    model.zero_grad()
    losses['loss_kd'].backward(retain_graph=True)
    assert head.layers.head.weight.grad is None
    assert head.layers.head_dist.weight.grad.abs().sum() > 0
    model.zero_grad(set_to_none=True)
    losses['loss'].backward()
    assert head.layers.head_dist.weight.grad is None
    assert head.layers.head.weight.grad.abs().sum() > 0


def test_distillation_token_prediction_averages_the_heads():
    """Predictions are MMPretrain's DeiTClsHead: the mean of both heads
    (what tools/test.py evaluates and the export predicts)."""
    model = build(dist_token=True).eval()
    x, _, _ = batch()
    head = model.student.head
    with torch.no_grad():
        cls_token, dist_token = model.student.extract_feat(x)[-1]
        mean = (head.layers.head(cls_token) +
                head.layers.head_dist(dist_token)) / 2
        torch.testing.assert_close(model(x, mode='tensor'), mean)
        pred = model.predict(x)
    torch.testing.assert_close(torch.stack([p.pred_score for p in pred]),
                               mean.softmax(1))


def test_teacher_sees_the_resized_batch():
    """teacher_input_size: the teacher gets the student's preprocessed
    batch resized bilinearly (a 32-pixel CIFAR teacher of a 224-pixel
    ViT); the student keeps its own."""
    model = build(teacher_input_size=8)
    seen = {}
    model.teacher.backbone.register_forward_hook(
        lambda m, args, out: seen.update(teacher=args[0].detach()))
    model.student.backbone.register_forward_hook(
        lambda m, args, out: seen.update(student=args[0].shape))
    x, _, samples = batch(size=16)
    model.loss(x, samples)
    assert seen['student'] == (4, 3, 16, 16)
    torch.testing.assert_close(
        seen['teacher'],
        F.interpolate(x, size=(8, 8), mode='bilinear', align_corners=False))
    for bad in (0, (8, ), (8, -1)):
        with pytest.raises(ValueError, match='teacher_input_size'):
            build(teacher_input_size=bad)


def test_losses_in_float32_under_bf16_autocast():
    """Mixed precision: the ViT runs in bf16, the distillation maths in
    float32 on the float32 copies of the logits (as the GDKD3 loss
    computed alone on them)."""
    model = build(dist_token=True, distill_losses=dict(
        type='GDKD3Loss', k=3, w0=1., w1=1., w2=1., temperature=1.,
        logit_stand=True))
    seen = {}
    module = model.distill_losses[0]
    forward = module.forward

    def spy(s, t, *args, **kwargs):
        seen.update(dtypes=(s.dtype, t.dtype), s=s.detach(), t=t.detach(),
                    autocast=torch.is_autocast_cpu_enabled())
        return forward(s, t, *args, **kwargs)

    module.forward = spy
    x, _, samples = batch()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        head = model.student.head
        dist = head.layers.head_dist(model.student.extract_feat(x)[-1][1])
        assert dist.dtype == torch.bfloat16  # the network is in bf16
        losses = model.loss(x, samples)
    assert seen['dtypes'] == (torch.float32, torch.float32)
    assert not seen['autocast']
    assert losses['loss_gdkd3'].dtype == torch.float32
    expected = gdkd3_loss(seen['s'], seen['t'], k=3, w0=1., w1=1., w2=1.,
                          temperature=1., logit_stand=True)
    torch.testing.assert_close(losses['loss_gdkd3'].detach(), expected)
