"""The feature losses against hand computations on 2x2 cases."""
import pytest
import torch

from gdkd_seg.cls.selfsup.feature_losses import (feature_mse_loss,
                                                 normalized_l1_loss)


def test_normalized_l1_by_hand():
    # rows (3, 4) -> (.6, .8), (1, 0) -> (1, 0); (0, 2) -> (0, 1),
    # (0, -1) -> (0, -1); |diff| = .6, .2, 1, 1 -> mean 2.8 / 4 = 0.7
    s = torch.tensor([[[3., 4.], [1., 0.]]])
    t = torch.tensor([[[0., 2.], [0., -1.]]])
    assert normalized_l1_loss(s, t).item() == pytest.approx(0.7)
    # scale-free in both arguments
    assert normalized_l1_loss(5 * s, .1 * t).item() == pytest.approx(0.7)


def test_feature_mse_by_hand():
    # differences 0, 2, 3, 0 -> squares 0, 4, 9, 0 -> mean 13 / 4
    s = torch.tensor([[[1., 2.], [3., 4.]]])
    t = torch.tensor([[[1., 0.], [0., 4.]]])
    assert feature_mse_loss(s, t).item() == pytest.approx(3.25)


@pytest.mark.parametrize('loss', [normalized_l1_loss, feature_mse_loss])
def test_float32_from_bf16_inputs(loss):
    s = torch.randn(2, 3, 8).bfloat16()
    t = torch.randn(2, 3, 8).bfloat16()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        value = loss(s, t)
    assert value.dtype == torch.float32
    assert value.item() == pytest.approx(loss(s.float(), t.float()).item())
