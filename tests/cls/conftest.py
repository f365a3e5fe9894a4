"""The classification tests build under MMPretrain's scope."""
import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    """An earlier in-process ``Runner`` (e.g. the safe-load tests) leaves
    MMEngine's as the current default scope, where ``ImageClassifier``
    and our backbones are unknown: build under MMPretrain's, as a
    ``default_scope='mmpretrain'`` config does."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        yield
