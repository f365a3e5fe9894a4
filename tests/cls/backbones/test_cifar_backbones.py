"""The distillation benchmark's backbones: parameter counts against the
published ones, output shapes and strides."""
import pytest
import torch
from mmengine.config import ConfigDict

import gdkd_seg.cls  # noqa: F401  (registers the backbones)
from mmpretrain.registry import MODELS

# Published parameter counts (millions) of the CIFAR-100 models (100-way
# linear classifier included), as listed in issue 4 from the CIFAR-100
# distillation benchmark (CRD / DKD model zoo tables: resnet8x4 1.23M,
# resnet32x4 7.43M, wrn_16_2 0.70M, ...). ResNet-20/56/110 also match
# He et al. 2016, Table 6 (0.27M / 0.85M / 1.7M, CIFAR-10 heads, truncated
# to the digits shown). ResNet-50 (CIFAR) is MMPretrain's ResNet_CIFAR and
# MobileNetV1 (1000 classes) is Howard et al. 2017, Table 1 (4.2M).
# Papers give 2 decimals, some rounded, some truncated: a count c matches
# p when p - 0.005 <= c < p + 0.01 (millions).
CIFAR = {
    # name: (backbone, classifier in_channels, published M)
    'resnet8x4': (dict(type='CIFARResNet', arch='resnet8x4'), 256, 1.23),
    'resnet32x4': (dict(type='CIFARResNet', arch='resnet32x4'), 256, 7.43),
    'resnet20': (dict(type='CIFARResNet', arch='resnet20'), 64, 0.27),
    'resnet56': (dict(type='CIFARResNet', arch='resnet56'), 64, 0.86),
    'resnet110': (dict(type='CIFARResNet', arch='resnet110'), 64, 1.73),
    'wrn_16_2': (dict(type='CIFARWideResNet', depth=16, widen_factor=2),
                 128, 0.70),
    'wrn_40_2': (dict(type='CIFARWideResNet', depth=40, widen_factor=2),
                 128, 2.26),
    'wrn_40_1': (dict(type='CIFARWideResNet', depth=40, widen_factor=1),
                 64, 0.57),
    'vgg8': (dict(type='CIFARVGG', depth=8), 512, 3.96),
    'vgg13': (dict(type='CIFARVGG', depth=13), 512, 9.46),
    'ShuffleV1': (dict(type='CIFARShuffleNetV1', groups=3), 960, 0.95),
    'ShuffleV2': (dict(type='CIFARShuffleNetV2', widen_factor=1.0), 1024,
                  1.36),
    'MobileNetV2': (dict(type='CIFARMobileNetV2', widen_factor=0.5), 1280,
                    0.81),
    'ResNet50': (dict(type='ResNet_CIFAR', depth=50), 2048, 23.71),
}


def classifier(backbone, in_channels, num_classes=100):
    return MODELS.build(ConfigDict(
        type='ImageClassifier',
        backbone=backbone,
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=num_classes,
                  in_channels=in_channels)))


def count(model) -> float:
    return sum(p.numel() for p in model.parameters()) / 1e6


def matches(ours: float, published: float) -> bool:
    return published - 0.005 <= ours < published + 0.01


@pytest.mark.parametrize('name', list(CIFAR))
def test_cifar_param_counts_and_logits(name):
    backbone, channels, published = CIFAR[name]
    model = classifier(backbone, channels).eval()
    assert matches(count(model), published), (name, count(model))
    with torch.no_grad():  # small input: global pooling takes any size
        logits = model(torch.randn(1, 3, 8, 8), mode='tensor')
    assert logits.shape == (1, 100)


def test_cifar_resnets_match_he_et_al_on_cifar10():
    """He et al. 2016, Table 6 (CIFAR-10): 0.27M, 0.46M, 0.85M, 1.7M
    (truncated)."""
    for arch, published in [('resnet20', 0.27), ('resnet32', 0.46),
                            ('resnet56', 0.85), ('resnet110', 1.7)]:
        ours = count(classifier(dict(type='CIFARResNet', arch=arch), 64, 10))
        digits = 10**len(str(published).split('.')[1])
        assert int(ours * digits) / digits == published, (arch, ours)


def test_mobilenet_v1_imagenet():
    model = classifier(dict(type='MobileNetV1'), 1024, 1000).eval()
    assert matches(count(model), 4.23)  # 4.2M in Howard et al. (Table 1)
    with torch.no_grad():
        feats = model.backbone(torch.randn(1, 3, 64, 64))
    assert feats[0].shape == (1, 1024, 2, 2)  # stride 32


@pytest.mark.parametrize('backbone, shapes', [
    (dict(type='CIFARResNet', arch='resnet8x4', out_indices=(0, 1, 2)),
     [(64, 32), (128, 16), (256, 8)]),
    (dict(type='CIFARWideResNet', depth=16, widen_factor=2,
          out_indices=(0, 1, 2)), [(32, 32), (64, 16), (128, 8)]),
    (dict(type='CIFARVGG', depth=8, out_indices=(0, 3, 4)),
     [(64, 32), (512, 4), (512, 4)]),
    (dict(type='CIFARMobileNetV2', out_indices=(0, 6, 7)),
     [(8, 16), (160, 2), (1280, 2)]),
    (dict(type='CIFARShuffleNetV1', out_indices=(0, 2)),
     [(240, 16), (960, 4)]),
    (dict(type='CIFARShuffleNetV2', out_indices=(0, 2, 3)),
     [(116, 16), (464, 4), (1024, 4)]),
    (dict(type='MobileNetV1', out_indices=(0, 2, 4)),
     [(64, 16), (256, 4), (1024, 1)]),
])
def test_feature_shapes(backbone, shapes):
    model = MODELS.build(ConfigDict(backbone)).eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, 32, 32))
    assert [(o.shape[1], o.shape[2]) for o in outs] == shapes
    assert all(o.shape[2] == o.shape[3] for o in outs)


def test_bad_arguments_are_rejected():
    with pytest.raises(KeyError):
        MODELS.build(dict(type='CIFARResNet', arch='resnet9'))
    with pytest.raises(ValueError):
        MODELS.build(dict(type='CIFARWideResNet', depth=17))
    with pytest.raises(KeyError):
        MODELS.build(dict(type='CIFARVGG', depth=10))
    with pytest.raises(ValueError):
        MODELS.build(dict(type='CIFARResNet', out_indices=(3, )))


def test_resnet_block_is_residual():
    """Zeroing a stride-1 block's last BN leaves relu(x) = x for x >= 0:
    the shortcut is the identity and the branch is added to it."""
    model = MODELS.build(dict(type='CIFARResNet', arch='resnet20')).eval()
    block = model.stages[0][1]
    torch.nn.init.zeros_(block.conv2.bn.weight)
    x = torch.rand(1, 16, 8, 8)  # >= 0, so the final ReLU keeps it
    with torch.no_grad():
        torch.testing.assert_close(block(x), x)


def test_channel_shuffle_interleaves_groups():
    from gdkd_seg.cls.backbones.channel_shuffle import channel_shuffle
    x = torch.arange(6.).view(1, 6, 1, 1)  # groups (0, 1, 2), (3, 4, 5)
    out = channel_shuffle(x, 2).flatten().tolist()
    assert out == [0., 3., 1., 4., 2., 5.]
