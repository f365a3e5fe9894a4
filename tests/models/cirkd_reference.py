"""A small reference of CIRKD's segmentation models, in plain torch.

Written for the tests from reading winycg/CIRKD at ``91735ef`` (the code
of the published Cityscapes checkpoints: ``models/base_models/resnet.py``,
``models/base_models/mobilenetv2.py``, ``models/deeplabv3.py``,
``models/deeplabv3_mobile.py``, ``models/pspnet.py``). It keeps CIRKD's
module names (``pretrained.*``, ``head.*``, ``auxlayer.*``), which is
what a CIRKD ``state_dict`` holds, and CIRKD's way of building things
(the gluon-cv ``previous_dilation`` rule, MobileNetV2 dilated after
construction), not MMSeg's. Widths are arguments so that tests can build
thin networks; with the defaults these are CIRKD's models.

Every ``forward`` returns ``[main logits, aux logits]`` (ResNet models)
or ``[main logits]`` (MobileNetV2) at 1/8 of the input.
"""
from typing import List, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn_relu(cin: int, cout: int, k: int, dilation: int = 1,
                 relu=nn.ReLU) -> List[nn.Module]:
    """``[conv (no bias), BN, activation]`` keeping the spatial size."""
    pad = dilation * (k // 2)
    return [nn.Conv2d(cin, cout, k, padding=pad, dilation=dilation,
                      bias=False), nn.BatchNorm2d(cout), relu(inplace=True)]


# ---------------------------------------------------------------- ResNet
class Basic(nn.Module):
    """CIRKD's BasicBlockV1b: conv1 carries stride and ``dilation``,
    conv2 the ``previous_dilation``."""
    expansion = 1

    def __init__(self, cin, planes, stride, dilation, previous, down=None):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, dilation, dilation,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, previous, previous,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = down

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        skip = x if self.downsample is None else self.downsample(x)
        return F.relu(out + skip)


class Bottle(nn.Module):
    """CIRKD's BottleneckV1b: 1x1, 3x3 (stride, dilation), 1x1 (x4)."""
    expansion = 4

    def __init__(self, cin, planes, stride, dilation, previous, down=None):
        super().__init__()
        del previous  # only BasicBlock uses it
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, dilation, dilation,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = down

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        skip = x if self.downsample is None else self.downsample(x)
        return F.relu(out + skip)


class DeepStemResNet(nn.Module):
    """``resnet*_v1s`` with ``dilated=True``: stem 3 -> s/2 -> s/2 -> s
    (stride 2) + max pool, layers of ``base * 2**i`` planes, strides
    (1, 2, 1, 1), dilations (1, 1, 2, 4)."""

    def __init__(self, block, layers: Sequence[int], base: int = 64,
                 stem: int = 128):
        super().__init__()
        self.conv1 = nn.Conv2d(3, stem // 2, 3, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem // 2)
        self.conv2 = nn.Conv2d(stem // 2, stem // 2, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(stem // 2)
        self.conv3 = nn.Conv2d(stem // 2, stem, 3, 1, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(stem)
        self.cin = stem
        plan = [(1, 1), (2, 1), (1, 2), (1, 4)]  # (stride, dilation)
        for i, (n, (stride, dilation)) in enumerate(zip(layers, plan)):
            setattr(self, f'layer{i + 1}',
                    self._layer(block, base * 2**i, n, stride, dilation))

    def _layer(self, block, planes, n, stride, dilation):
        down = None
        if stride != 1 or self.cin != planes * block.expansion:
            down = nn.Sequential(
                nn.Conv2d(self.cin, planes * block.expansion, 1, stride,
                          bias=False),
                nn.BatchNorm2d(planes * block.expansion))
        # the first block of a dilated stage uses half the dilation
        first = 1 if dilation in (1, 2) else dilation // 2
        blocks = [block(self.cin, planes, stride, first, dilation, down)]
        self.cin = planes * block.expansion
        blocks += [block(self.cin, planes, 1, dilation, dilation)
                   for _ in range(1, n)]
        return nn.Sequential(*blocks)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.max_pool2d(x, 3, 2, 1)
        c1 = self.layer1(x)
        c2 = self.layer2(c1)
        c3 = self.layer3(c2)
        return c3, self.layer4(c3)


# ----------------------------------------------------------- MobileNetV2
class InvRes(nn.Module):
    """Inverted residual: (1x1 expand,) 3x3 depthwise, 1x1 linear; ReLU6;
    ``conv`` holds (conv, bn, act) triples, the last without act."""

    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = round(cin * t)
        self.skip = stride == 1 and cin == cout
        layers = []
        if t != 1:
            layers += conv_bn_relu(cin, hidden, 1, relu=nn.ReLU6)
        layers += [nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden,
                             bias=False), nn.BatchNorm2d(hidden),
                   nn.ReLU6(inplace=True),
                   nn.Conv2d(hidden, cout, 1, bias=False),
                   nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.skip else self.conv(x)


class _Features(nn.Module):

    def __init__(self):
        super().__init__()
        feats = [nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1, bias=False),
                               nn.BatchNorm2d(32), nn.ReLU6(inplace=True))]
        cin = 32
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2),
                           (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                           (6, 320, 1, 1)]:
            for i in range(n):
                feats.append(InvRes(cin, c, s if i == 0 else 1, t))
                cin = c
        self.features = nn.Sequential(*feats)  # no 1280-channel conv


def _no_stride_dilate(module: nn.Module, dilate: int) -> None:
    """CIRKD's ``_nostride_dilate``: a strided conv loses its stride and
    its 3x3 gets ``dilate // 2``; other 3x3 convs get ``dilate``."""
    for m in module.modules():
        if not isinstance(m, nn.Conv2d):
            continue
        d = dilate
        if m.stride == (2, 2):
            m.stride, d = (1, 1), dilate // 2
        if m.kernel_size == (3, 3):
            m.dilation = m.padding = (d, d)


class DilatedMobileNetV2(nn.Module):
    """``MobileNetV2Dilated(dilate_scale=8)``: the ImageNet net built at
    stride 32, then features 7-13 dilated by 2 and 14-17 by 4."""

    def __init__(self):
        super().__init__()
        self.net = _Features()
        for i, f in enumerate(self.net.features):
            if 7 <= i < 14:
                _no_stride_dilate(f, 2)
            elif i >= 14:
                _no_stride_dilate(f, 4)

    def forward(self, x):
        return self.net.features(x)


# ------------------------------------------------------------------ heads
class ASPPConv(nn.Module):

    def __init__(self, cin, cout, rate):
        super().__init__()
        self.block = nn.Sequential(*conv_bn_relu(cin, cout, 3, rate))

    def forward(self, x):
        return self.block(x)


class ASPPPool(nn.Module):

    def __init__(self, cin, cout):
        super().__init__()
        self.gap = nn.Sequential(nn.AdaptiveAvgPool2d(1),
                                 *conv_bn_relu(cin, cout, 1))

    def forward(self, x):
        return F.interpolate(self.gap(x), x.shape[2:], mode='bilinear',
                             align_corners=True)


class ASPP(nn.Module):
    """b0 (1x1), b1-b3 (rates 12, 24, 36), b4 (image pool), concatenated
    in that order, then project (1x1, BN, ReLU, Dropout 0.5)."""

    def __init__(self, cin, width):
        super().__init__()
        self.b0 = nn.Sequential(*conv_bn_relu(cin, width, 1))
        self.b1 = ASPPConv(cin, width, 12)
        self.b2 = ASPPConv(cin, width, 24)
        self.b3 = ASPPConv(cin, width, 36)
        self.b4 = ASPPPool(cin, width)
        self.project = nn.Sequential(*conv_bn_relu(5 * width, width, 1),
                                     nn.Dropout(0.5))

    def forward(self, x):
        branches = [self.b0, self.b1, self.b2, self.b3, self.b4]
        return self.project(torch.cat([b(x) for b in branches], 1))


class DeepLabHead(nn.Module):

    def __init__(self, cin, width, num_classes):
        super().__init__()
        self.aspp = ASPP(cin, width)
        self.block = nn.Sequential(*conv_bn_relu(width, width, 3),
                                   nn.Dropout(0.1),
                                   nn.Conv2d(width, num_classes, 1))

    def forward(self, x):
        return self.block(self.aspp(x))


class PSPHead(nn.Module):
    """Bins 1, 2, 3, 6 -> in/4 channels each, concat [x, bins], 3x3 to
    ``width``, dropout, separate classifier; bins upsampled with
    align_corners=True."""

    def __init__(self, cin, width, num_classes):
        super().__init__()
        self.psp = nn.Module()
        for i in range(1, 5):
            setattr(self.psp, f'conv{i}',
                    nn.Sequential(*conv_bn_relu(cin, cin // 4, 1)))
        self.block = nn.Sequential(*conv_bn_relu(2 * cin, width, 3),
                                   nn.Dropout(0.1))
        self.classifier = nn.Conv2d(width, num_classes, 1)

    def forward(self, x):
        pools = [x]
        for i, bins in enumerate((1, 2, 3, 6), 1):
            y = getattr(self.psp, f'conv{i}')(F.adaptive_avg_pool2d(x, bins))
            pools.append(F.interpolate(y, x.shape[2:], mode='bilinear',
                                       align_corners=True))
        return self.classifier(self.block(torch.cat(pools, 1)))


class FCNHead(nn.Module):

    def __init__(self, cin, num_classes):
        super().__init__()
        self.block = nn.Sequential(*conv_bn_relu(cin, cin // 4, 3),
                                   nn.Dropout(0.1),
                                   nn.Conv2d(cin // 4, num_classes, 1))

    def forward(self, x):
        return self.block(x)


# ----------------------------------------------------------------- models
class CIRKDSegModel(nn.Module):
    """DeepLabV3 / PSPNet on a deep-stem ResNet, with CIRKD's auxiliary
    FCN head on layer3."""

    def __init__(self, head: str, depth: int, width: int, base: int = 64,
                 stem: int = 128, num_classes: int = 19):
        super().__init__()
        block, layers = {18: (Basic, (2, 2, 2, 2)),
                         101: (Bottle, (3, 4, 23, 3))}[depth]
        self.pretrained = DeepStemResNet(block, layers, base, stem)
        c4 = base * 8 * block.expansion
        self.head = (DeepLabHead if head == 'deeplabv3' else PSPHead)(
            c4, width, num_classes)
        self.auxlayer = FCNHead(c4 // 2, num_classes)

    def forward(self, x):
        c3, c4 = self.pretrained(x)
        return [self.head(c4), self.auxlayer(c3)]


class CIRKDMobileDeepLab(nn.Module):
    """DeepLabV3 on the dilated MobileNetV2 (320 channels), no aux head."""

    def __init__(self, width: int = 128, num_classes: int = 19):
        super().__init__()
        self.pretrained = DilatedMobileNetV2()
        self.head = DeepLabHead(320, width, num_classes)

    def forward(self, x):
        return [self.head(self.pretrained(x))]


def randomize(model: nn.Module, seed: int = 0) -> nn.Module:
    """Random weights everywhere, BN statistics and affine included (so
    that no BN is an identity), and BN counters; returns the model in
    eval mode."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith('num_batches_tracked'):
                t.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))
            elif name.endswith('running_var'):
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            elif t.dim() == 4:  # conv weights, scaled to keep activations
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=gen) *
                        (2.0 / fan_in)**0.5)
            elif name.endswith('.weight'):  # BN scale: 0.5 keeps the
                # residual sums of 33 blocks in range
                t.copy_(torch.randn(t.shape, generator=gen) * 0.1 + 0.5)
            else:  # BN shift, running mean, classifier bias
                t.copy_(torch.randn(t.shape, generator=gen) * 0.2)
    return model.eval()
