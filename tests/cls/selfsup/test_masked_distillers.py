"""DMAE and AMD on tiny ViTs: the patches each model sees, the feature
losses against independent computations, float32 under autocast, the
teacher stopping at its deepest block, and the settings refused."""
import numpy as np
import pytest
import torch

import gdkd_seg.cls.selfsup.masked_distiller as masked_distiller
from gdkd_seg.cls.selfsup.encode_visible import encode_visible
from tests.cls.selfsup.conftest import build


def record_encodings(monkeypatch, model):
    """Patch the encoder runs of ``model.loss`` to record which patches
    the student and the teacher saw."""
    seen = []
    real = masked_distiller.encode_visible

    def spy(vit, inputs, ids_keep, layers, full=True):
        who = 'student' if vit is model.backbone else 'teacher'
        seen.append((who, ids_keep.clone()))
        return real(vit, inputs, ids_keep, layers, full)

    monkeypatch.setattr(masked_distiller, 'encode_visible', spy)
    return seen


@pytest.mark.parametrize('kind', ['DMAE', 'AMD'])
def test_masks_identical_or_nested_and_new_each_iteration(
        kind, monkeypatch, images):
    model = build(kind)
    seen = record_encodings(monkeypatch, model)
    masks = []
    real_pixel_loss = model.head.loss
    monkeypatch.setattr(model.head, 'loss', lambda pred, x, mask: (
        masks.append(mask.clone()) or real_pixel_loss(pred, x, mask)))
    model(images, None, mode='loss')
    model(images, None, mode='loss')
    assert [who for who, _ in seen] == ['student', 'teacher'] * 2
    for it in (0, 1):
        student, teacher = seen[2 * it][1], seen[2 * it + 1][1]
        assert student.shape == (4, 4)  # 16 patches, mask ratio 0.75
        if kind == 'DMAE':
            assert torch.equal(teacher, student)
        else:  # teacher mask ratio 0.5: 8 patches, the student's first
            assert teacher.shape == (4, 8)
            assert torch.equal(teacher[:, :4], student)
        for row in teacher:
            assert len(set(row.tolist())) == len(row)
        # the pixel loss is on the patches the student did not see
        mask = masks[it]
        assert torch.equal(mask.gather(1, student), torch.zeros(4, 4))
        assert torch.equal(mask.sum(1), torch.full((4, ), 12.))
    assert not torch.equal(seen[0][1], seen[2][1])  # a new draw
    assert not torch.equal(seen[1][1], seen[3][1])
    assert not torch.equal(seen[0][1][0], seen[0][1][1])  # per image


def test_teacher_runs_only_to_its_deepest_block(images):
    model = build('DMAE')  # teacher block 17 of 24 (0-indexed)
    calls = [0] * 24
    for i, layer in enumerate(model.teacher.backbone.layers):
        layer.register_forward_hook(
            lambda *args, i=i: calls.__setitem__(i, calls[i] + 1))
    normed = []
    model.teacher.backbone.ln1.register_forward_hook(
        lambda *args: normed.append(1))
    model(images, None, mode='loss')
    assert calls == [1] * 18 + [0] * 6
    assert not normed
    assert model.teacher.neck is not None  # built, never run


def test_encoder_runs_as_mmpretrain_maevit(images):
    """Given MAEViT's own random draw, ``encode_visible`` computes what
    ``MAEViT.forward`` computes (class token, positions, final norm)."""
    model = build('AMD')
    vit = model.backbone
    vit.eval()  # (MMPretrain's ViT.train returns None)
    torch.manual_seed(3)
    theirs, mask, _ = vit(images)
    torch.manual_seed(3)
    ids_keep = torch.rand(4, 16).argsort(1)[:, :4]
    ours, feats = encode_visible(vit, images, ids_keep, (5, 11))
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
    assert torch.equal(mask.gather(1, ids_keep), torch.zeros(4, 4))
    assert [f.shape for f in feats] == [(4, 5, 16)] * 2


def normalized(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_dmae_feature_term_equals_an_independent_computation():
    model = build('DMAE')
    with torch.no_grad():  # a bias too (it starts at 0)
        model.projectors[0].bias.normal_()
    rng = np.random.default_rng(0)
    s = rng.normal(size=(2, 5, 16)).astype(np.float32)
    t = rng.normal(size=(2, 5, 32)).astype(np.float32)
    w = model.projectors[0].weight.detach().numpy()  # (32, 16)
    b = model.projectors[0].bias.detach().numpy()
    expected = np.abs(normalized(s @ w.T + b) - normalized(t)).mean()
    out = model.distill([torch.from_numpy(s)], [torch.from_numpy(t)],
                        None)
    assert set(out) == {'loss_feat_l1', 'feat_l1_s8_t17'}
    assert out['loss_feat_l1'].item() == pytest.approx(expected, rel=1e-5)
    model.feat_weight = 2.5
    out = model.distill([torch.from_numpy(s)], [torch.from_numpy(t)],
                        None)
    assert out['loss_feat_l1'].item() == pytest.approx(
        2.5 * expected, rel=1e-5)


def test_amd_terms_equal_an_independent_computation(monkeypatch, images):
    """Direct: projected student tokens against the teacher's at the same
    positions (class token + the student's patches). Generation: the
    generator's output against the teacher's tokens at the patches only
    it saw. Each averaged over the block pairs."""
    model = build('AMD')
    masks = model.draw_masks(images)  # student 4, teacher 8 patches
    rng = np.random.default_rng(0)
    s = [rng.normal(size=(4, 5, 16)).astype(np.float32) for _ in range(2)]
    t = [rng.normal(size=(4, 9, 32)).astype(np.float32) for _ in range(2)]
    gen_out = [rng.normal(size=(4, 4, 32)).astype(np.float32)
               for _ in range(2)]
    calls = []
    for i, generator in enumerate(model.generators):
        monkeypatch.setattr(generator, 'forward', lambda x, vis, pred, i=i: (
            calls.append((x.detach(), vis, pred))
            or torch.from_numpy(gen_out[i])))
    with torch.no_grad():
        for proj in model.projectors:  # P s = [s, 0]
            proj.weight.copy_(torch.eye(32, 16))
    out = model.distill([torch.from_numpy(x) for x in s],
                        [torch.from_numpy(x) for x in t], masks)
    pad = [np.concatenate([x, np.zeros((4, 5, 16), np.float32)], -1)
           for x in s]
    direct = [((p - y[:, :5])**2).mean() for p, y in zip(pad, t)]
    gen = [((g - y[:, 5:])**2).mean() for g, y in zip(gen_out, t)]
    assert out['loss_feat_direct'].item() == pytest.approx(
        np.mean(direct), rel=1e-5)
    assert out['loss_feat_gen'].item() == pytest.approx(
        np.mean(gen), rel=1e-5)
    assert out['feat_direct_s11_t23'].item() == pytest.approx(
        direct[1], rel=1e-5)
    assert out['feat_gen_s5_t11'].item() == pytest.approx(gen[0], rel=1e-5)
    for i, (x, vis, pred) in enumerate(calls):  # what the generator got
        assert np.allclose(x.numpy(), pad[i])
        assert torch.equal(vis, masks.ids_shuffle[:, :4])
        assert torch.equal(pred, masks.ids_shuffle[:, 4:8])


@pytest.mark.parametrize('kind', ['DMAE', 'AMD'])
def test_feature_losses_stay_float32_under_autocast(kind, images):
    model = build(kind)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = model(images, None, mode='loss')
    feats = [k for k in out if k != 'loss_pixel']
    assert feats
    for key in feats:
        assert out[key].dtype == torch.float32, key
    sum(v for k, v in out.items() if 'loss' in k).backward()
    assert model.projectors[0].weight.grad is not None


def test_generator_positions_and_mask_token():
    model = build('AMD')
    generator = model.generators[0]
    assert generator.mask_token.abs().sum() > 0  # initialised, trained
    assert 'generators.0.mask_token' in model.state_dict()
    assert 'generators.0.pos_embed' not in model.state_dict()  # fixed
    x = torch.randn(2, 3, 32)
    vis, pred = torch.tensor([[0, 5]] * 2), torch.tensor([[7, 9, 3]] * 2)
    assert generator(x, vis, pred).shape == (2, 3, 32)
    # another position to predict changes that prediction
    other = generator(x, vis, torch.tensor([[7, 9, 4]] * 2))
    assert not torch.allclose(other[:, 2], generator(x, vis, pred)[:, 2])


def test_teacher_outside_the_module_tree():
    model = build('AMD')
    teacher = model.teacher
    teacher.train()  # whatever switched it (a hook, user code)
    model.train()
    assert not teacher.training
    assert not any(p.requires_grad for p in teacher.parameters())
    assert not any('teacher' in k for k in model.state_dict())
    ids = {id(p) for p in teacher.parameters()}
    assert not any(id(p) in ids for p in model.parameters())


@pytest.mark.parametrize('kwargs, match', [
    (dict(student_layers=(5, ), teacher_layers=(11, 23)), 'as many'),
    (dict(student_layers=(12, 11)), 'do not exist'),
    (dict(teacher_mask_ratio=0.75), 'below'),
])
def test_amd_refuses_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build('AMD', **kwargs)


def test_dmae_refuses_a_teacher_mask_ratio():
    with pytest.raises(ValueError, match='teacher_mask_ratio'):
        build('DMAE', teacher_mask_ratio=0.5)


@pytest.mark.parametrize('kwargs, match', [
    (dict(teacher_dims=16), 'teacher_dims to 32'),
    (dict(teacher_layers=(11, 24)), 'blocks 0..23'),
])
def test_mismatching_teacher_refused_before_training(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build('AMD', **kwargs)  # init_weights builds the teacher
