"""The demo's small segmentation backbone ``PlainConvNet``."""
import pytest
import torch

import gdkd_seg  # noqa: F401  (registers the backbone)
from gdkd_seg.demo import PlainConvNet


def test_strides_channels_and_params():
    net = PlainConvNet(widths=(8, 16, 32), depths=(2, 2, 3),
                       out_indices=(0, 1, 2))
    outs = net(torch.randn(2, 3, 64, 128))
    assert [tuple(o.shape) for o in outs] == [(2, 8, 32, 64),
                                              (2, 16, 16, 32),
                                              (2, 32, 8, 16)]
    # 3x3 convs without bias, each followed by a BN (weight + bias):
    # 3*8, 8*8 | 8*16, 16*16 | 16*32, 32*32, 32*32 input x output channels
    convs = 9 * (3 * 8 + 8 * 8 + 8 * 16 + 16 * 16 + 16 * 32 + 2 * 32 * 32)
    bns = 2 * (2 * 8 + 2 * 16 + 3 * 32)
    assert sum(p.numel() for p in net.parameters()) == convs + bns


def test_default_init_is_left_alone():
    """``init_cfg=None`` keeps PyTorch's initialisation (the demo relies
    on it: docs, "Demo"); an explicit init_cfg still applies."""
    torch.manual_seed(0)
    net = PlainConvNet()
    before = [p.clone() for p in net.parameters()]
    net.init_weights()
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    net = PlainConvNet(init_cfg=dict(type='Constant', val=0.5,
                                     layer='Conv2d'))
    net.init_weights()
    assert (net.stages[0][0].weight == 0.5).all()


def test_registered_in_mmseg_and_bad_arguments():
    from mmseg.registry import MODELS
    net = MODELS.build(dict(type='PlainConvNet', widths=(4, 8),
                            depths=(1, 1), out_indices=(1, )))
    assert tuple(net(torch.randn(1, 3, 16, 16))[0].shape) == (1, 8, 4, 4)
    with pytest.raises(ValueError, match='one entry'):
        PlainConvNet(widths=(4, 8), depths=(1, ))
    with pytest.raises(ValueError, match='one entry'):
        PlainConvNet(widths=(4, ), depths=(0, ))
