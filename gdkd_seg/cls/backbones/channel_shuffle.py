"""Channel shuffle shared by the ShuffleNet backbones."""
from torch import Tensor


def channel_shuffle(x: Tensor, groups: int) -> Tensor:
    """Interleave the channels of ``groups`` groups (Zhang et al., 2018).

    ``(N, g * c, H, W) -> (N, g, c, H, W) -> (N, c, g, H, W) -> (N, g * c,
    H, W)``.
    """
    n, c, h, w = x.shape
    x = x.view(n, groups, c // groups, h, w).transpose(1, 2)
    return x.reshape(n, c, h, w)
