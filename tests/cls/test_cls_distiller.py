"""ClsDistiller with tiny CIFAR classifiers: frozen teacher, losses, epoch
warm-up, export to plain MMPretrain."""
import copy
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.hooks import RuntimeInfoHook
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper

import gdkd_seg.cls  # noqa: F401  (what the cls configs import)
from gdkd_seg.models.losses import dkd_loss, gdkd_loss, kd_loss, mlkd_loss
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from mmpretrain.utils import register_all_modules

register_all_modules(init_default_scope=False)

NUM_CLASSES = 10


def classifier(width_arch: str = 'resnet8', num_classes: int = NUM_CLASSES):
    return dict(
        type='ImageClassifier',
        backbone=dict(type='CIFARResNet', arch=width_arch),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=num_classes,
            in_channels=256 if width_arch.endswith('x4') else 64,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
        data_preprocessor=dict(
            type='ClsDataPreprocessor', mean=[128.] * 3, std=[64.] * 3))


@pytest.fixture
def teacher_ckpt(tmp_path):
    """A teacher whose weights differ from any fresh initialisation."""
    torch.manual_seed(1)
    teacher = MODELS.build(ConfigDict(classifier('resnet14')))
    with torch.no_grad():
        for p in teacher.parameters():
            p.add_(0.1 * torch.randn_like(p))
    path = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict()}, path)
    return path, teacher.state_dict()


def build(teacher_ckpt, **kwargs):
    cfg = dict(
        type='ClsDistiller',
        student=classifier('resnet8'),
        teacher=classifier('resnet14'),
        teacher_ckpt=teacher_ckpt,
        distill_losses=[
            dict(type='GDKDLoss', k=3, w0=1., w1=2., w2=6., temperature=4.),
            dict(type='DKDLoss', alpha=1., beta=8., temperature=4.)
        ])
    cfg.update(kwargs)
    return MODELS.build(ConfigDict(cfg))


def batch(n: int = 4, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 3, 16, 16), generator=g).float()
    labels = torch.randint(0, NUM_CLASSES, (n, ), generator=g)
    samples = [DataSample().set_gt_label(int(y)) for y in labels]
    return dict(inputs=list(images.byte()), data_samples=samples)


def set_epoch(epoch):
    """Set the 0-indexed epoch as MMEngine's RuntimeInfoHook does."""
    hub = MessageHub.get_current_instance()
    runner = SimpleNamespace(epoch=epoch, message_hub=hub)
    RuntimeInfoHook().before_train_epoch(runner)


@pytest.fixture(autouse=True)
def reset_epoch():
    hub = MessageHub.get_current_instance()
    hub.runtime_info.pop('epoch', None)
    yield
    hub.runtime_info.pop('epoch', None)


def test_teacher_frozen_eval_and_out_of_module_tree(teacher_ckpt):
    path, state = teacher_ckpt
    model = build(path)
    model.init_weights()
    model.train()
    assert not model.teacher.training
    assert all(not m.training for m in model.teacher.modules())
    assert all(not p.requires_grad for p in model.teacher.parameters())
    assert not any(k.startswith('teacher.') for k in model.state_dict())
    teacher_ids = {id(p) for p in model.teacher.parameters()}
    assert not teacher_ids & {id(p) for p in model.parameters()}
    for k, v in model.teacher.state_dict().items():
        torch.testing.assert_close(v, state[k], rtol=0, atol=0)


def test_train_step_changes_only_student(teacher_ckpt):
    path, _ = teacher_ckpt
    model = build(path)
    model.init_weights()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    s_before = copy.deepcopy(model.student.state_dict())
    t_before = copy.deepcopy(model.teacher.state_dict())
    log = model.train_step(batch(), optim)
    assert {'loss', 'loss_gdkd', 'loss_dkd', 'gdkd_high', 'gdkd_low_top',
            'gdkd_low_other', 'dkd_tckd', 'dkd_nckd'} <= set(log)
    changed = [k for k, v in model.student.state_dict().items()
               if 'weight' in k and not torch.equal(v, s_before[k])]
    assert changed
    for k, v in model.teacher.state_dict().items():
        assert torch.equal(v, t_before[k]), k


def test_losses_match_independent_computation(teacher_ckpt):
    path, _ = teacher_ckpt
    model = build(path, ce_weight=0.1)
    model.train()
    data = model.data_preprocessor(batch(), training=True)
    inputs, samples = data['inputs'], data['data_samples']
    losses = model.loss(inputs, samples)
    plain_ce = model.student.loss(inputs, samples)['loss']
    torch.testing.assert_close(losses['loss'], 0.1 * plain_ce)
    s = model.student(inputs, mode='tensor')
    with torch.no_grad():
        t = model.teacher(inputs, mode='tensor')
    labels = torch.cat([d.gt_label for d in samples])
    gdkd, parts = gdkd_loss(s, t, None, k=3, w0=1., w1=2., w2=6.,
                            temperature=4., return_parts=True)
    torch.testing.assert_close(losses['loss_gdkd'], gdkd)
    torch.testing.assert_close(losses['gdkd_low_top'], parts['low_top'])
    torch.testing.assert_close(
        losses['loss_dkd'],
        dkd_loss(s, t, labels, alpha=1., beta=8., temperature=4.))
    # the sub-terms are logged, not back-propagated
    assert not losses['gdkd_high'].requires_grad
    assert losses['loss_gdkd'].requires_grad


def test_dkd_uses_the_labels(teacher_ckpt):
    path, _ = teacher_ckpt
    model = build(path, distill_losses=dict(type='DKDLoss', beta=8.,
                                            temperature=4.))
    data = model.data_preprocessor(batch(), training=True)
    shifted = [DataSample().set_gt_label((int(d.gt_label) + 1) %
                                         NUM_CLASSES)
               for d in data['data_samples']]
    a = model.loss(data['inputs'], data['data_samples'])['loss_dkd']
    b = model.loss(data['inputs'], shifted)['loss_dkd']
    assert not torch.allclose(a, b)


@pytest.mark.parametrize('epoch', [0, 1, 9, 19, 20, 100])
def test_epoch_warmup(teacher_ckpt, epoch):
    path, _ = teacher_ckpt
    warm = build(path, warmup_epochs=20,
                 distill_losses=dict(type='KDLoss', temperature=4.))
    model = build(path, distill_losses=dict(type='KDLoss', temperature=4.))
    model.load_state_dict(warm.state_dict())
    warm.train(), model.train()
    data = warm.data_preprocessor(batch(), training=True)
    set_epoch(epoch)
    got = warm.loss(data['inputs'], data['data_samples'])['loss_kd']
    full = model.loss(data['inputs'], data['data_samples'])['loss_kd']
    # docs/losses.md §1: lambda(e) = min(e / W, 1), 1-indexed epoch e
    # e = epoch + 1, so the first epoch already has 1/20
    torch.testing.assert_close(got, min((epoch + 1) / 20, 1.0) * full)


def test_no_warmup_outside_a_runner(teacher_ckpt):
    model = build(teacher_ckpt[0], warmup_epochs=20)
    assert model.warmup_factor(20, 'epoch') == 1.0


def test_export_loads_strictly_in_plain_mmpretrain(teacher_ckpt):
    path, _ = teacher_ckpt
    model = build(path)
    model.init_weights()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    model.train_step(batch(), optim)
    model.eval()
    exported = {k[len('student.'):]: v
                for k, v in model.state_dict().items()
                if k.startswith('student.')}
    assert len(exported) == len(model.state_dict())
    plain = MODELS.build(ConfigDict(classifier('resnet8')))
    plain.load_state_dict(exported, strict=True)
    plain.eval()
    data = model.data_preprocessor(batch(seed=3), training=False)
    with torch.no_grad():
        ours = model.predict(data['inputs'], batch(seed=3)['data_samples'])
        theirs = plain.predict(data['inputs'],
                               batch(seed=3)['data_samples'])
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a.pred_score, b.pred_score)
    with torch.no_grad():
        logits = model(data['inputs'], mode='tensor')
        torch.testing.assert_close(logits,
                                   plain(data['inputs'], mode='tensor'))
    # and a plain student checkpoint loads back into the distiller
    fresh = build(path)
    fresh.load_state_dict(exported, strict=True)
    for k, v in fresh.student.state_dict().items():
        assert torch.equal(v, exported[k])


def test_top_level_data_preprocessor_goes_to_the_student(teacher_ckpt):
    student = classifier('resnet8')
    del student['data_preprocessor']
    pre = dict(type='ClsDataPreprocessor', mean=[1., 2., 3.],
               std=[4., 5., 6.])
    model = build(teacher_ckpt[0], student=student, data_preprocessor=pre)
    assert model.data_preprocessor is model.student.data_preprocessor
    assert model.data_preprocessor.mean.flatten().tolist() == [1., 2., 3.]


def test_class_mismatch_and_bad_args_are_rejected(teacher_ckpt):
    # teacher errors come when training builds the teacher (init_weights)
    with pytest.raises(ValueError, match='classes'):
        build(None, teacher=classifier('resnet14', num_classes=7)
              ).init_weights()
    with pytest.raises(ValueError, match='ce_weight'):
        build(None, ce_weight=-1.)
    with pytest.raises(ValueError, match='does not match'):
        build(teacher_ckpt[0], teacher=classifier('resnet8')).init_weights()


def test_kd_ce_weight_combination(teacher_ckpt):
    """CIFAR KD: 0.1 CE + 0.9 KD (docs/losses.md §2) via ce_weight and the
    loss's own loss_weight."""
    path, _ = teacher_ckpt
    model = build(path, ce_weight=0.1, distill_losses=dict(
        type='KDLoss', temperature=4., loss_weight=0.9))
    data = model.data_preprocessor(batch(), training=True)
    losses = model.loss(data['inputs'], data['data_samples'])
    s = model.student(data['inputs'], mode='tensor')
    t = model.teacher(data['inputs'], mode='tensor')
    torch.testing.assert_close(losses['loss_kd'],
                               0.9 * kd_loss(s, t, temperature=4.))


def test_init_cfg_reaches_mmengine(teacher_ckpt, tmp_path):
    """The distiller's ``init_cfg`` is MMEngine's: ``init_weights()``
    applies it (here: load a distiller checkpoint), and a top-level data
    preprocessor still reaches the student."""
    path, _ = teacher_ckpt
    source = build(path)
    with torch.no_grad():  # weights no initialisation can give
        for p in source.student.parameters():
            p.add_(0.5 * torch.randn_like(p))
    ckpt = str(tmp_path / 'distiller.pth')
    torch.save({'state_dict': source.state_dict()}, ckpt)
    init_cfg = dict(type='Pretrained', checkpoint=ckpt)
    student = classifier('resnet8')
    del student['data_preprocessor']
    pre = dict(type='ClsDataPreprocessor', mean=[1., 2., 3.],
               std=[4., 5., 6.])
    model = build(path, student=student, data_preprocessor=pre,
                  init_cfg=init_cfg)
    assert model.init_cfg == init_cfg
    assert model.data_preprocessor.mean.flatten().tolist() == [1., 2., 3.]
    model.init_weights()
    expected = source.student.state_dict()
    for k, v in model.student.state_dict().items():
        torch.testing.assert_close(v, expected[k], rtol=0, atol=0)


def build_mlkd(path, **kwargs):
    """An MLKD distiller whose student takes two-view batches."""
    student = classifier('resnet8')
    student['data_preprocessor']['type'] = 'MultiViewClsDataPreprocessor'
    kwargs.setdefault('distill_losses', dict(type='MLKDLoss'))
    return build(path, student=student, ce_weight=0.1, **kwargs)


def two_view_batch(n: int = 6, seed: int = 0):
    """A batch as MultiView + PackInputs + pseudo_collate give it: one
    list of images per view. The strong view is darker, so that it gives
    other logits than the weak one (noise images alone give nearly the
    same pooled features)."""
    data = batch(n, seed)
    g = torch.Generator().manual_seed(seed + 100)
    strong = torch.randint(0, 64, (n, 3, 16, 16), generator=g).byte()
    data['inputs'] = [data['inputs'], list(strong)]
    return data


def test_mlkd_two_views_through_the_distiller(teacher_ckpt):
    """Wiring (the expected values use the same loss function): CE of
    both views at 0.1, each view through its own forward of the student
    and of the teacher, MLKDLoss on the four logits."""
    path, _ = teacher_ckpt
    model = build_mlkd(path)
    model.train()
    data = model.data_preprocessor(two_view_batch(), training=True)
    weak, strong = data['inputs']
    assert weak.shape == strong.shape == (6, 3, 16, 16)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert {'loss', 'loss_strong', 'loss_mlkd_kd', 'loss_mlkd_cc',
            'loss_mlkd_bc'} <= set(losses)
    labels = torch.cat([d.gt_label for d in data['data_samples']])
    s_w = model.student(weak, mode='tensor')  # train mode: batch BN
    s_s = model.student(strong, mode='tensor')
    with torch.no_grad():
        t_w = model.teacher(weak, mode='tensor')
        t_s = model.teacher(strong, mode='tensor')
    assert (t_w - t_s).abs().max() > 0.1 and (s_w - s_s).abs().max() > 0.1
    exact = dict(rtol=1e-6, atol=0)  # the same operations
    torch.testing.assert_close(losses['loss'],
                               0.1 * F.cross_entropy(s_w, labels), **exact)
    torch.testing.assert_close(losses['loss_strong'],
                               0.1 * F.cross_entropy(s_s, labels), **exact)
    ref = mlkd_loss(s_w, t_w, s_s, t_s, temperature=4.0, kd_weight=0.9)
    for key, value in ref.items():
        torch.testing.assert_close(losses[key], value, **exact)


def test_mlkd_train_step_changes_only_student(teacher_ckpt):
    path, _ = teacher_ckpt
    model = build_mlkd(path)
    model.init_weights()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    s_before = copy.deepcopy(model.student.state_dict())
    t_before = copy.deepcopy(model.teacher.state_dict())
    log = model.train_step(two_view_batch(), optim)
    assert all(torch.isfinite(v).all() for v in log.values())
    changed = [k for k, v in model.student.state_dict().items()
               if 'weight' in k and not torch.equal(v, s_before[k])]
    assert changed
    for k, v in model.teacher.state_dict().items():
        assert torch.equal(v, t_before[k]), k


def test_views_and_losses_must_agree(teacher_ckpt):
    path, _ = teacher_ckpt
    with pytest.raises(ValueError, match='cannot be combined'):
        build_mlkd(path, distill_losses=[dict(type='MLKDLoss'),
                                         dict(type='KDLoss')])
    mlkd = build_mlkd(path)
    data = mlkd.data_preprocessor(batch(), training=True)
    with pytest.raises(ValueError, match='weak and the strong view'):
        mlkd.loss(data['inputs'], data['data_samples'])
    kd = build(path, distill_losses=dict(type='KDLoss'))
    two = mlkd.data_preprocessor(two_view_batch(), training=True)
    with pytest.raises(ValueError, match='2 view'):
        kd.loss(two['inputs'], two['data_samples'])


def test_mlkd_epoch_warmup(teacher_ckpt):
    path, _ = teacher_ckpt
    warm = build_mlkd(path, warmup_epochs=20)
    model = build_mlkd(path)
    model.load_state_dict(warm.state_dict())
    warm.train(), model.train()
    data = warm.data_preprocessor(two_view_batch(), training=True)
    set_epoch(4)
    got = warm.loss(data['inputs'], data['data_samples'])
    full = model.loss(data['inputs'], data['data_samples'])
    for key in ('loss_mlkd_kd', 'loss_mlkd_cc', 'loss_mlkd_bc'):
        torch.testing.assert_close(got[key], 5 / 20 * full[key])
    torch.testing.assert_close(got['loss_strong'], full['loss_strong'])


def test_mlkd_non_finite_loss_stops_before_the_step(teacher_ckpt):
    path, _ = teacher_ckpt
    model = build_mlkd(path)
    with torch.no_grad():
        model.teacher.head.fc.weight[0, 0] = float('nan')
    data = model.data_preprocessor(two_view_batch(), training=True)
    with pytest.raises(FloatingPointError, match='teacher logits'):
        model.loss(data['inputs'], data['data_samples'])
