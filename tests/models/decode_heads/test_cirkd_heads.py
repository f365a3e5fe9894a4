"""CIRKD's heads: MMSeg's weights and names, CIRKD's dropouts.

(Their logits are checked against CIRKD's in
tests/apis/test_convert_cirkd.py.)"""
import pytest
import torch
import torch.nn as nn
from mmseg.registry import MODELS

import gdkd_seg  # noqa: F401  (registers the heads)

COMMON = dict(in_channels=32, channels=8, num_classes=5,
              norm_cfg=dict(type='BN'), dropout_ratio=0.1)


def build(cfg):
    return MODELS.build(dict(COMMON, **cfg))


@pytest.mark.parametrize('ours, mmseg', [
    (dict(type='CIRKDPSPHead'), dict(type='PSPHead')),
    (dict(type='CIRKDFCNHead', num_convs=1, concat_input=False),
     dict(type='FCNHead', num_convs=1, concat_input=False)),
])
def test_psp_fcn_heads_are_mmsegs_weight_for_weight(ours, mmseg):
    """A checkpoint of one loads strictly into the other and gives the
    same eval logits: only the training-time dropout differs."""
    torch.manual_seed(0)
    a, b = build(ours).eval(), build(mmseg).eval()
    b.load_state_dict(a.state_dict(), strict=True)
    x = [torch.randn(2, 32, 6, 10)]
    torch.testing.assert_close(a(x), b(x), rtol=0, atol=0)
    assert type(b.dropout) is nn.Dropout2d


def elementwise(dropout: nn.Module) -> bool:
    """Whether ``dropout`` (in train mode) zeroes single elements rather
    than whole channel maps."""
    dropout.train()
    torch.manual_seed(1)
    out = dropout(torch.ones(4, 64, 8, 8))
    zero = out == 0
    partial = zero.any(dim=(2, 3)) & ~zero.all(dim=(2, 3))
    return bool(zero.any()) and bool(partial.any())


@pytest.mark.parametrize('cfg', [
    dict(type='CIRKDPSPHead'),
    dict(type='CIRKDFCNHead', num_convs=1, concat_input=False),
    dict(type='CIRKDASPPHead', dilations=(1, 12, 24, 36)),
])
def test_classifier_dropout_is_elementwise_as_cirkds(cfg):
    head = build(cfg)
    assert elementwise(head.dropout) and head.dropout.p == 0.1
    assert not elementwise(build(dict(type='PSPHead')).dropout)


def test_aspp_head_projection_dropout_only_in_training():
    """CIRKD's Dropout(0.5) after the 1x1 projection: element-wise, on in
    train mode (here the only dropout: the classifier's is 0), off in
    eval mode."""
    head = build(dict(type='CIRKDASPPHead'))
    assert head.project_dropout.p == 0.5 and elementwise(
        head.project_dropout)
    head = build(dict(type='CIRKDASPPHead', dropout_ratio=0.0))
    assert head.dropout is None
    x = [torch.randn(2, 32, 6, 10)]
    head.eval()
    torch.testing.assert_close(head(x), head(x), rtol=0, atol=0)
    head.train()
    torch.manual_seed(2)
    first = head(x)
    assert not torch.equal(first, head(x))
