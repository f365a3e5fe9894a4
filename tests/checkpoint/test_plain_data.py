"""to_plain / from_plain: what MMEngine puts in a checkpoint, stored as
tensors and builtins that torch's default ``torch.load`` reads, and
rebuilt exactly (classes, dtypes, bits)."""
import io
import random
from collections import Counter, OrderedDict

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer

from gdkd_seg.checkpoint.plain_data import (TAG, MalformedPlainData,
                                            from_plain, to_plain)


def plain_load(obj):
    """``torch.save`` then torch's default ``torch.load`` (weights_only,
    nothing allow-listed)."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer)


def same(a, b, path='it'):
    """Equal in type and bits, recursively."""
    assert type(a) is type(b), (path, type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            same(a[key], b[key], f'{path}.{key}')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f'{path}[{i}]')
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and np.shape(a) == np.shape(b), path
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), path
    elif isinstance(a, HistoryBuffer):
        assert vars(a).keys() == vars(b).keys(), path
        same(vars(a), vars(b), path)
    elif isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and torch.equal(a, b), path
    else:
        assert a == b, path


def mmengine_like():
    """What an MMEngine run checkpoint holds beyond tensors: the message
    hub (HistoryBuffers of floats and ints, numpy scalars), the random
    states RNGStateHook saves, and arrays of every dtype torch stores."""
    loss = HistoryBuffer()
    for value in (4.02, 3.99, float('nan'), 1e-300):
        loss.update(value)
    count = HistoryBuffer(max_length=3)
    for value in (1, 2, 3, 4):
        count.update(value, 2)
    rng = np.random.RandomState(0)
    rng.rand(3)
    dtypes = ['?', 'u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8', 'f2',
              'f4', 'f8', 'c8', 'c16', '>f8', '>i4']
    return dict(
        message_hub=dict(
            log_scalars=OrderedDict(loss=loss, count=count,
                                    empty=HistoryBuffer()),
            runtime_info=OrderedDict(eta=np.float64(1 / 3), it=np.int64(7),
                                     flag=np.bool_(True),
                                     best=np.float32(0.25), cfg='x = 1'),
            resumed_keys=OrderedDict(loss=True)),
        rng_state=dict(python=random.Random(0).getstate(),
                       numpy=rng.get_state(), torch=torch.get_rng_state()),
        arrays={d: (np.arange(6) % 3).astype(d).reshape(2, 3)[:, ::2]
                for d in dtypes},
        zero_d=np.array(2.5), meta=dict(classes=('a', 'b'), seed=0,
                                        milestones=Counter({150: 1})),
        things=[1, (2, 3.0), {4}, None, b'x', 'y', torch.float16])


def test_round_trip_is_exact_through_a_plain_torch_load():
    original = mmengine_like()
    plain, left = to_plain(original)
    assert left == []
    loaded = plain_load(plain)  # refuses anything not plain
    assert loaded['message_hub']['log_scalars']['loss'][TAG] == \
        'HistoryBuffer'
    same(from_plain(loaded), original)
    # the statistics still work on rebuilt buffers
    rebuilt = from_plain(loaded)['message_hub']['log_scalars']['count']
    # the last 3 of 1..4, each counted twice: (2 + 3 + 4) / 6
    assert rebuilt.mean() == 1.5 and rebuilt.current() == 4


def test_live_objects_are_not_changed():
    original = mmengine_like()
    buffer = original['message_hub']['log_scalars']['loss']
    before = dict(vars(buffer))
    to_plain(original)
    assert vars(buffer).keys() == before.keys()
    assert isinstance(original['message_hub']['runtime_info']['eta'],
                      np.float64)


def test_untagged_data_comes_back_as_it_went_in():
    data = dict(a=[1, dict(b=torch.zeros(1))], c=(2, ))
    assert from_plain(data) is data


def test_what_is_not_plain_is_reported_and_kept():
    thing = object()
    obj = dict(a=[thing], s=np.array(['x']), d=np.float128(1))
    plain, left = to_plain(obj)
    assert plain['a'][0] is thing and plain['s'] is obj['s']
    assert len(left) == 3 and 'a[0] (object)' in left[0]


def tagged_array(**change):
    tagged = to_plain(np.arange(4, dtype=np.int64))[0]
    tagged.update(change)
    return tagged


@pytest.mark.parametrize('tagged', [
    tagged_array(dtype='O'),  # an object array
    tagged_array(dtype='|O8'),
    tagged_array(dtype='garbage'),  # numpy would raise a TypeError
    tagged_array(dtype="[('a', 'O')]"),
    tagged_array(dtype='<f8'),  # data is int64
    tagged_array(shape=[5]),
    tagged_array(shape='4'),
    tagged_array(data=[0, 1, 2, 3]),
    tagged_array(extra=1),
    {TAG: 'numpy_scalar', **{k: v for k, v in tagged_array().items()
                             if k != TAG}},  # shape (4,)
    {TAG: 'HistoryBuffer', 'max_length': 1, 'log': tagged_array(),
     'count': tagged_array()},  # longer than max_length
    {TAG: 'HistoryBuffer', 'max_length': 9, 'log': tagged_array(),
     'count': tagged_array(), 'statistics_methods': {}},
    {TAG: 'builtins.eval'},
], ids=lambda t: str(sorted(t.items(), key=str))[:40])
def test_malformed_tags_are_refused(tagged):
    with pytest.raises(MalformedPlainData):
        from_plain(dict(x=[tagged]))
