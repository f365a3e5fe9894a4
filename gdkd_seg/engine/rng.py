"""Run code without moving the process's random number generators."""
import random
from contextlib import contextmanager
from typing import Iterator

import numpy as np
import torch


@contextmanager
def preserved_rng() -> Iterator[None]:
    """Restore Python's, numpy's and torch's (CPU and CUDA) generator
    states on exit, whatever the block drew from them.

    The distillers build their teacher inside it: a student built with a
    seed then starts from the same weights, and draws the same dropout
    masks, whether or not a teacher was built beside it.
    """
    py_state, np_state = random.getstate(), np.random.get_state()
    cuda = torch.cuda.is_available() and torch.cuda.is_initialized()
    with torch.random.fork_rng(
            devices=range(torch.cuda.device_count()) if cuda else []):
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
