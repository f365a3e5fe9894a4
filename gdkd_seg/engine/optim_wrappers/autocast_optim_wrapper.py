"""Mixed precision without loss scaling, for bf16 (and for CPUs, where
MMEngine's ``AmpOptimWrapper`` refuses to run)."""
from contextlib import contextmanager
from typing import Optional, Union

import torch
from mmengine.device import get_device
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """Run forward and loss under ``torch.autocast`` in ``dtype``.

    bfloat16 has float32's exponent range, so gradients need no loss
    scaling (unlike fp16, for which use MMEngine's ``AmpOptimWrapper``).
    The distillers compute their losses in float32 regardless.

    Args:
        dtype: the autocast dtype (CPU autocast supports bfloat16 only).
        device_type: ``'cpu'``/``'cuda'``; by default MMEngine's device.
        **kwargs: :class:`OptimWrapper`'s arguments.
    """

    def __init__(self,
                 dtype: Union[str, torch.dtype] = 'bfloat16',
                 device_type: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(
            dtype, str) else dtype
        self.device_type = device_type or get_device()

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        with super().optim_context(model), torch.autocast(
                self.device_type, dtype=self.cast_dtype):
            yield
