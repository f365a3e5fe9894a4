"""The feature losses of masked-image distillation, in float32.

Under mixed precision the projections, generators and teachers run in
fp16/bf16; these losses cast their inputs to float32 and turn autocast
off, so the distances (and the normalisation of DMAE's) are computed in
full precision.
"""
import torch
import torch.nn.functional as F
from torch import Tensor


def normalized_l1_loss(student: Tensor, teacher: Tensor) -> Tensor:
    """DMAE's feature loss: the mean absolute difference of the
    L2-normalised token features.

        ``mean |s / ||s|| - t / ||t|| |`` over tokens and channels

    Args:
        student: ``(N, T, C)`` projected student features.
        teacher: ``(N, T, C)`` teacher features (no gradient needed).
    """
    with torch.autocast(student.device.type, enabled=False):
        s = F.normalize(student.float(), dim=-1)
        t = F.normalize(teacher.float(), dim=-1)
        return (s - t).abs().mean()


def feature_mse_loss(student: Tensor, teacher: Tensor) -> Tensor:
    """AMD's feature loss: the mean squared difference.

        ``mean (s - t)^2`` over tokens and channels

    Args:
        student: ``(N, T, C)`` projected or generated student features.
        teacher: ``(N, T, C)`` teacher features.
    """
    with torch.autocast(student.device.type, enabled=False):
        return (student.float() - teacher.float()).pow(2).mean()
