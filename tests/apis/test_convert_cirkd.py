"""CIRKD checkpoints converted to MMSeg give CIRKD's logits.

For each architecture of CIRKD's Cityscapes protocol, a CIRKD model of
our own reference (tests/models/cirkd_reference.py, CIRKD's module names
and construction, random weights and BN statistics) is saved as CIRKD
saves it, converted by :func:`convert_cirkd` (through the safe loader)
into the configs/cirkd_protocol model with thin widths, loaded strictly,
and both are run on the same random input: the main and auxiliary logits
must agree in float32. ImageNet backbones are converted into the backbone
and loaded the way a student config loads them (``pretrained``).
"""
import copy
import pickle

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope
from mmseg.registry import MODELS

from gdkd_seg.apis.convert_cirkd import (ConversionReport, convert_cirkd,
                                         convert_state_dict, detect_layout,
                                         resnet_depth)
from gdkd_seg.checkpoint.safe_load import (UnsafeCheckpointError,
                                           load_mmengine_checkpoint)
from tests.conftest import REPO, call_tool
from tests.models import cirkd_reference as ref

MODELS_DIR = REPO / 'configs' / 'cirkd_protocol' / '_base_' / 'models'


def bn(cfg):
    """The config with SyncBN -> BN (CPU, one process)."""
    if isinstance(cfg, dict):
        return {k: ('BN' if v == 'SyncBN' else bn(v)) for k, v in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(bn(v) for v in cfg)
    return cfg


def protocol_model(name: str, **overrides) -> dict:
    """The shipped protocol model config ``name`` with thin widths."""
    cfg = Config.fromfile(str(MODELS_DIR / f'{name}.py'))
    cfg.merge_from_dict({f'model.{k}': v for k, v in overrides.items()})
    model = bn(cfg.model.to_dict())
    model['pretrained'] = None
    return model


# architecture -> (CIRKD reference, thin protocol model); ResNets 8 wide
# (stem 16): layer4 gives 64 (BasicBlock) / 256 (Bottleneck) channels;
# CIRKD's FCN and PSP bins use in / 4 channels, as the configs do
THIN = {
    'deeplabv3_r101': (
        lambda: ref.CIRKDSegModel('deeplabv3', 101, 16, base=8, stem=16),
        dict(**{'backbone.base_channels': 8, 'backbone.stem_channels': 16,
                'decode_head.in_channels': 256, 'decode_head.channels': 16,
                'auxiliary_head.in_channels': 128,
                'auxiliary_head.channels': 32})),
    'deeplabv3_r18': (
        lambda: ref.CIRKDSegModel('deeplabv3', 18, 16, base=8, stem=16),
        dict(**{'backbone.base_channels': 8, 'backbone.stem_channels': 16,
                'decode_head.in_channels': 64, 'decode_head.channels': 16,
                'auxiliary_head.in_channels': 32,
                'auxiliary_head.channels': 8})),
    'pspnet_r18': (
        lambda: ref.CIRKDSegModel('pspnet', 18, 16, base=8, stem=16),
        dict(**{'backbone.base_channels': 8, 'backbone.stem_channels': 16,
                'decode_head.in_channels': 64, 'decode_head.channels': 16,
                'auxiliary_head.in_channels': 32,
                'auxiliary_head.channels': 8})),
    # MobileNetV2 at its real width (CIRKD rounds width multipliers
    # differently from MMSeg); the head is thin
    'deeplabv3_mbv2': (lambda: ref.CIRKDMobileDeepLab(16),
                       {'decode_head.channels': 16}),
}


def build(model_cfg: dict):
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(ConfigDict(copy.deepcopy(model_cfg))).eval()


def mmseg_logits(model, x):
    feats = model.extract_feat(x)
    out = [model.decode_head(feats)]
    if model.with_auxiliary_head:
        out.append(model.auxiliary_head(feats))
    return out


@pytest.mark.parametrize('arch', list(THIN))
def test_converted_model_gives_cirkd_logits(arch, tmp_path):
    make_ref, overrides = THIN[arch]
    torch.manual_seed(0)
    cirkd = ref.randomize(make_ref(), seed=1)
    src, dst = tmp_path / 'cirkd.pth', tmp_path / 'mmseg.pth'
    torch.save(cirkd.state_dict(), src)  # what CIRKD's save_checkpoint writes
    model_cfg = protocol_model(arch, **overrides)

    report = convert_cirkd(str(src), str(dst), model_cfg)

    assert report.unused == [] and report.filled == []
    assert report.converted == len(cirkd.state_dict())
    model = build(model_cfg)
    ckpt = load_mmengine_checkpoint(str(dst), logger='silent')
    model.load_state_dict(ckpt['state_dict'], strict=True)
    x = torch.randn(2, 3, 64, 96)  # H != W: no axis mix-up passes
    with torch.no_grad():
        expected = cirkd(x)
        got = mmseg_logits(model, x)
    assert len(got) == len(expected)  # aux head iff CIRKD has one
    for g, e in zip(got, expected):
        assert g.shape == e.shape == (2, 19, 8, 12)
        torch.testing.assert_close(g, e, rtol=1e-5, atol=1e-5)
        assert e.std() > 0.01  # the maps are not trivially flat


@pytest.mark.parametrize('arch, prefix', [('deeplabv3_r18', 'pretrained.'),
                                          ('deeplabv3_mbv2', 'pretrained.')])
def test_imagenet_backbone_loads_as_the_students_pretrained(
        arch, prefix, tmp_path):
    """An ImageNet checkpoint (CIRKD's resnet18-imagenet.pth /
    mobilenetv2-imagenet.pth layout: the backbone's keys plus a
    classifier) converts to the backbone; a student whose ``pretrained``
    is the result gets CIRKD's backbone features after init_weights."""
    make_ref, overrides = THIN[arch]
    cirkd = ref.randomize(make_ref(), seed=2)
    backbone = cirkd.pretrained
    state = dict(backbone.net.state_dict() if arch.endswith('mbv2') else
                 backbone.state_dict())
    extra = ({'features.18.0.weight': torch.zeros(1280, 320, 1, 1),
              'classifier.1.weight': torch.zeros(1000, 1280),
              'classifier.1.bias': torch.zeros(1000)}
             if arch.endswith('mbv2') else
             {'fc.weight': torch.zeros(1000, 64),
              'fc.bias': torch.zeros(1000)})
    state.update(extra)
    src, dst = tmp_path / 'imagenet.pth', tmp_path / 'backbone.pth'
    torch.save(state, src)
    model_cfg = protocol_model(arch, **overrides)

    report = convert_cirkd(str(src), str(dst), model_cfg)

    assert sorted(report.unused) == sorted(extra)  # the classifier only
    model_cfg['pretrained'] = str(dst)
    student = build(model_cfg)
    student.init_weights()  # MMSeg loads `pretrained` into the backbone
    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        want = backbone(x)
        want = want[1] if isinstance(want, tuple) else want  # c4
        got = student.backbone(x)[-1]
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_cli_converts_with_the_default_config(tmp_path, capsys):
    """tools/convert_cirkd.py picks the protocol config of the checkpoint's
    architecture (here the full-width PSPNet-R18) and reports what it
    left out."""
    cirkd = ref.CIRKDSegModel('pspnet', 18, 128)
    state = cirkd.state_dict()
    state['extra.weight'] = torch.zeros(1)  # unused, reported
    state = {f'module.{k}' if k == 'head.classifier.bias' else k: v
             for k, v in state.items()}  # a DDP prefix is dropped
    src, dst = tmp_path / 'psp.pth', tmp_path / 'out' / 'psp_mmseg.pth'
    torch.save(state, src)
    call_tool('convert_cirkd.py', str(src), str(dst))
    out = capsys.readouterr().out
    assert 'pspnet_resnet: wrote 178 tensors' in out
    assert '1 keys of' in out and 'left out: extra.weight' in out
    ckpt = load_mmengine_checkpoint(str(dst), logger='silent')
    assert ckpt['meta'] == dict(converted_from='psp.pth',
                                cirkd_layout='pspnet_resnet')
    assert torch.equal(ckpt['state_dict']['decode_head.conv_seg.bias'],
                       state['module.head.classifier.bias'])


def test_cli_refuses_another_width_and_says_how(tmp_path):
    """A checkpoint whose DeepLabV3 head is wider than the config's (as
    CIRKD's 2025 layout, 512, against the released 128) stops with the
    shapes and the fix; with --cfg-options decode_head.channels it
    converts."""
    make_ref, overrides = THIN['deeplabv3_r18']
    state = ref.CIRKDSegModel('deeplabv3', 18, 32, base=8,
                              stem=16).state_dict()
    src, dst = tmp_path / 'dl.pth', tmp_path / 'dl_mmseg.pth'
    torch.save(state, src)
    config = tmp_path / 'thin.py'  # the protocol model, 16 wide
    config.write_text(
        f'model = {protocol_model("deeplabv3_r18", **overrides)!r}\n')
    with pytest.raises(SystemExit) as err:
        call_tool('convert_cirkd.py', str(src), str(dst), '--config',
                  str(config))
    message = str(err.value)
    assert not dst.exists() and 'another shape' in message
    assert ('decode_head.aspp_modules.0.conv.weight: checkpoint (32, 64, '
            '1, 1), model (16, 64, 1, 1)') in message
    assert 'decode_head.channels' in message
    call_tool('convert_cirkd.py', str(src), str(dst), '--config',
              str(config), '--cfg-options', 'decode_head.channels=32')
    assert dst.exists()


def test_missing_keys_are_refused_and_named():
    cirkd = ref.CIRKDSegModel('deeplabv3', 18, 16, base=8, stem=16)
    state = cirkd.state_dict()
    target = build(protocol_model('deeplabv3_r18',
                                  **THIN['deeplabv3_r18'][1])).state_dict()
    del state['head.aspp.b4.gap.1.weight']
    with pytest.raises(ValueError, match=r"1 model keys have no tensor, "
                       r"e.g. \['decode_head.image_pool.1.conv.weight'\]"):
        convert_state_dict(state, target)
    # BN counters a checkpoint lacks are set to 0 and reported
    state = {k: v for k, v in cirkd.state_dict().items()
             if not k.endswith('num_batches_tracked')}
    out, report = convert_state_dict(state, target)
    assert isinstance(report, ConversionReport)
    assert len(report.filled) == sum(
        k.endswith('num_batches_tracked') for k in target) > 0
    assert list(out) == list(target)


def test_layout_and_depth_detection():
    r101 = ref.CIRKDSegModel('deeplabv3', 101, 16, base=8, stem=16)
    state = r101.state_dict()
    assert detect_layout(state) == 'deeplabv3_resnet'
    assert resnet_depth(state, 'pretrained.') == 101
    psp = ref.CIRKDSegModel('pspnet', 18, 16, base=8, stem=16).state_dict()
    assert detect_layout(psp) == 'pspnet_resnet'
    assert resnet_depth(psp, 'pretrained.') == 18
    assert detect_layout(ref.CIRKDMobileDeepLab(16).state_dict()) == (
        'deeplabv3_mobilenetv2')
    with pytest.raises(ValueError, match='not a CIRKD checkpoint'):
        detect_layout({'backbone.stem.0.weight': torch.zeros(1)})


class Smuggled:
    """A pickled object: a checkpoint must never unpickle it."""

    def __reduce__(self):
        return (print, ('executed',))


def test_checkpoint_with_objects_is_refused(tmp_path):
    state = ref.CIRKDSegModel('deeplabv3', 18, 16, base=8,
                              stem=16).state_dict()
    src = tmp_path / 'evil.pth'
    torch.save({'state_dict': state, 'extra': Smuggled()}, src,
               pickle_protocol=pickle.HIGHEST_PROTOCOL)
    with pytest.raises(UnsafeCheckpointError):
        convert_cirkd(str(src), str(tmp_path / 'out.pth'),
                      protocol_model('deeplabv3_r18',
                                     **THIN['deeplabv3_r18'][1]))
    assert not (tmp_path / 'out.pth').exists()
