"""Checkpoints are unpickled with torch's safe loader plus an allow-list of
what MMEngine checkpoints hold; anything else is refused unless opted in."""
import os

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmseg.registry import MODELS

from gdkd_seg.models.distillers.base import (load_model_cfg,
                                             load_teacher_weights)
from gdkd_seg.utils.safe_load import (ENV_VAR, UnsafeCheckpointError,
                                      allow_globals,
                                      allow_mmengine_checkpoints)
from tests.conftest import REPO

TINY = str(REPO / 'tests' / 'configs' / 'tiny_teacher.py')


class Payload:
    """An arbitrary object a checkpoint should not carry."""

    def __init__(self, value=1):
        self.value = value


class Command:
    """Unpickling this runs a shell command (what a malicious file does)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


@pytest.fixture
def teacher():
    return MODELS.build(load_model_cfg(TINY))


@pytest.fixture
def restore_allow_list():
    yield
    torch.serialization.clear_safe_globals()
    allow_mmengine_checkpoints()


def save_with(path, teacher, extra):
    torch.save({'state_dict': teacher.state_dict(), 'meta': extra}, path)
    return str(path)


def test_mmengine_checkpoint_content_loads_safely(tmp_path, teacher):
    """What MMEngine puts in a checkpoint's meta (message hub with
    HistoryBuffers, numpy arrays and scalars) passes the safe loader."""
    hub = MessageHub('safe_load_test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_info('iter', 3)
    meta = dict(message_hub=hub.state_dict(), seed=np.int64(0),
                arr=np.arange(3, dtype=np.float32),
                rng=np.random.get_state())
    path = save_with(tmp_path / 'ok.pth', teacher, meta)
    load_teacher_weights(teacher, path)  # no error
    loaded = torch.load(path)  # torch's default: weights_only=True
    assert loaded['meta']['message_hub']['log_scalars'][
        'train/loss'].current() == 0.5


def test_arbitrary_object_is_refused_with_the_opt_in(tmp_path, teacher):
    path = save_with(tmp_path / 'obj.pth', teacher, Payload())
    name = f'{__name__}.Payload'
    with pytest.raises(UnsafeCheckpointError) as info:
        load_teacher_weights(teacher, path)
    message = str(info.value)
    assert name in message and ENV_VAR in message and path in message
    assert 'safe_globals' in message


def test_command_payload_is_refused_and_not_run(tmp_path, teacher):
    marker = tmp_path / 'pwned'
    path = save_with(tmp_path / 'cmd.pth', teacher, Command(marker))
    with pytest.raises(UnsafeCheckpointError, match='posix.system'):
        load_teacher_weights(teacher, path)
    assert not marker.exists()


def test_opt_in_by_name_and_by_environment(tmp_path, teacher, monkeypatch,
                                           restore_allow_list):
    path = save_with(tmp_path / 'obj.pth', teacher, Payload(7))
    name = f'{__name__}.Payload'
    with pytest.raises(UnsafeCheckpointError):
        load_teacher_weights(teacher, path)
    monkeypatch.setenv(ENV_VAR, f' {name} ,')
    allow_mmengine_checkpoints()  # what `import gdkd_seg` runs
    load_teacher_weights(teacher, path)
    assert torch.load(path)['meta'].value == 7
    with pytest.raises(ValueError, match='not an importable'):
        allow_globals(['no_such_module_xyz.Thing'])
