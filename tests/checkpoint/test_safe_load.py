"""Checkpoints are unpickled with torch's safe loader plus the smallest
allow-list real MMEngine checkpoints need, only inside our loading paths;
crafted files are refused with nothing executed."""
import dataclasses
import os
import subprocess
import sys
import uuid
from collections import Counter, OrderedDict, defaultdict

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.dataset import pseudo_collate
from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmseg.registry import MODELS
from torch.utils.data import DataLoader

import gdkd_seg.checkpoint.safe_load as safe_load
from gdkd_seg.checkpoint.safe_load import (ENV_VAR, UnsafeCheckpointError,
                                           allow_globals, check_checkpoint,
                                           checkpoint_globals,
                                           load_mmengine_checkpoint,
                                           mmengine_checkpoint_loading)
from gdkd_seg.models.distillers.base import (load_model_cfg,
                                             load_teacher_weights)
from tests.conftest import REPO, call_tool

TINY = str(REPO / 'tests' / 'configs' / 'tiny_teacher.py')


# --- a real MMEngine run ------------------------------------------------
class ToyModel(BaseModel):
    """One linear layer: MMEngine's runner needs nothing more."""

    def __init__(self, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(torch.stack(inputs))  # (N, 1)
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


class Float32Score(BaseMetric):
    """A score of type ``numpy.float32``, as MMSeg's ``IoUMetric`` gives
    mIoU (the mean of float32 arrays)."""

    def process(self, data_batch, data_samples):
        self.results.append(0)

    def compute_metrics(self, results):
        return dict(score=np.float32(0.5))


def toy_runner(work_dir, max_iters=2, hooks=('RNGStateHook', ), model=None,
               checkpoint=None, **kwargs):
    """A real MMEngine run: SGD + LR schedule, iteration-based loop,
    checkpoints with message hub, optimizer, schedulers and (the hooks
    tools/train.py adds) random states."""
    torch.manual_seed(0)
    data = [dict(inputs=torch.randn(2)) for _ in range(8)]
    return Runner(
        model=model or ToyModel(),
        work_dir=str(work_dir),
        experiment_name=uuid.uuid4().hex,
        train_dataloader=DataLoader(data, batch_size=2,
                                    collate_fn=pseudo_collate),
        train_cfg=kwargs.pop('train_cfg', dict(by_epoch=False,
                                               max_iters=max_iters)),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1,
                                          momentum=0.9)),
        param_scheduler=dict(type='LinearLR', by_epoch=False, begin=0,
                             end=4),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           by_epoch=False, interval=2,
                                           **(checkpoint or {}))),
        custom_hooks=[dict(type=h) for h in hooks],
        randomness=dict(seed=0),
        log_level='WARNING',
        **kwargs)


@pytest.fixture(scope='module')
def real_ckpt(tmp_path_factory):
    """``iter_2.pth`` of a real run without SafeSaveHook, with
    save_best (written under the pinned numpy)."""
    from mmengine.logging import MessageHub
    from mmengine.registry import DefaultScope
    work = tmp_path_factory.mktemp('run')
    # a module fixture runs outside conftest's per-test isolation: the
    # runner's 'mmengine' default scope would stay current for later
    # modules (MMPretrain builds would look in MMEngine's registry)
    saved = {cls: dict(cls._instance_dict)
             for cls in (DefaultScope, MessageHub)}
    data = [dict(inputs=torch.randn(2)) for _ in range(2)]
    try:
        # validation and save_best as MMSeg's runs do them: from the
        # first validation on, every checkpoint holds the float32 score
        # in the message hub
        toy_runner(work, train_cfg=dict(by_epoch=False, max_iters=2,
                                        val_interval=1),
                   val_dataloader=DataLoader(data, batch_size=2,
                                             collate_fn=pseudo_collate),
                   val_cfg=dict(), val_evaluator=Evaluator(Float32Score()),
                   checkpoint=dict(save_best='score',
                                   rule='greater')).train()
    finally:
        for cls, instances in saved.items():
            cls._instance_dict.clear()
            cls._instance_dict.update(instances)
    return str(work / 'iter_2.pth')


def craft(real_ckpt, tmp_path, change, name='crafted.pth'):
    """The real checkpoint with ``change(ckpt)`` applied, saved again."""
    ckpt = load_mmengine_checkpoint(real_ckpt, logger='silent')
    change(ckpt)
    path = str(tmp_path / name)
    torch.save(ckpt, path)
    return path


def global_name(entry):
    """The name the pickle uses for an allow-list entry."""
    if isinstance(entry, tuple):
        return entry[1]
    return f'{entry.__module__}.{entry.__qualname__}'


# --- what real checkpoints need -----------------------------------------
def test_real_checkpoint_loads_and_works(real_ckpt):
    ckpt = load_mmengine_checkpoint(real_ckpt, logger='silent')
    hub = ckpt['message_hub']
    loss = hub['log_scalars']['train/loss']
    assert type(loss) is HistoryBuffer and len(loss.data[0]) == 2
    assert loss.statistics('mean') == loss.mean()  # the methods work
    assert isinstance(hub['runtime_info']['eta'], np.float64)
    assert type(hub['runtime_info']['best_score']) is np.float32
    assert ckpt['rng_state']['numpy'][1].dtype == np.uint32
    assert ckpt['meta']['iter'] == 2 and 'linear.weight' in ckpt[
        'state_dict']


ENTRIES = checkpoint_globals()


@pytest.mark.parametrize('index', range(len(ENTRIES)),
                         ids=[global_name(e) for e in ENTRIES])
def test_each_allowed_global_is_needed(real_ckpt, monkeypatch, index):
    """Without any one entry, the real checkpoint is refused, naming it."""
    entry = ENTRIES[index]
    rest = ENTRIES[:index] + ENTRIES[index + 1:]
    monkeypatch.setattr(safe_load, 'checkpoint_globals', lambda: rest)
    with pytest.raises(UnsafeCheckpointError) as info:
        load_mmengine_checkpoint(real_ckpt, logger='silent')
    assert global_name(entry).replace('builtins.', '') in str(info.value)


def test_allow_list_is_exactly_these():
    assert sorted(global_name(e) for e in ENTRIES) == sorted([
        'mmengine.logging.history_buffer.HistoryBuffer',
        'numpy._core.multiarray._reconstruct', 'numpy.ndarray',
        'numpy.dtype', 'numpy.dtypes.Float64DType',
        'numpy.dtypes.Float32DType', 'numpy.dtypes.Int64DType',
        'numpy.dtypes.UInt32DType',
        'numpy._core.multiarray.scalar', 'builtins.getattr'
    ])


# --- nothing process-wide -----------------------------------------------
def test_importing_registers_nothing_with_torch(real_ckpt):
    """After ``import gdkd_seg`` (done by this module) and a load through
    our loader, plain ``torch.load`` still refuses an MMEngine checkpoint,
    and none of our globals is registered with torch."""
    load_mmengine_checkpoint(real_ckpt, logger='silent')
    registered = torch.serialization.get_safe_globals()
    assert not set(map(global_name, registered)) & set(
        map(global_name, ENTRIES))
    assert getattr not in registered
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(real_ckpt)


def test_context_removes_only_what_it_added():
    before = torch.serialization.get_safe_globals()
    torch.serialization.add_safe_globals([np.dtype])  # the user's own
    try:
        with mmengine_checkpoint_loading():
            assert HistoryBuffer in torch.serialization.get_safe_globals()
        after = torch.serialization.get_safe_globals()
        assert np.dtype in after and HistoryBuffer not in after
    finally:
        torch.serialization.clear_safe_globals()
        torch.serialization.add_safe_globals(before)


# --- crafted files --------------------------------------------------------
class Reduce:
    """Pickles as ``fn(*args)``: what a crafted file can ask for."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def eval_payload(marker):
    """``eval`` reached through ``getattr(getattr, '__self__')`` (the
    builtins module) and called by torch's own tensor rebuild function:
    with the real ``getattr`` allowed, loading this touches ``marker``."""
    builtins_module = Reduce(getattr, getattr, '__self__')
    evil = Reduce(getattr, builtins_module, 'eval')
    code = (f"__import__('pathlib').Path({str(marker)!r}).touch() or "
            "__import__('torch').zeros(1)")
    return Reduce(torch._tensor._rebuild_from_type_v2, evil, torch.Tensor,
                  (code, ), {})


def test_builtins_through_getattr_are_refused_and_not_run(
        real_ckpt, tmp_path):
    marker = tmp_path / 'pwned'
    path = craft(real_ckpt, tmp_path,
                 lambda c: c['meta'].update(hook=eval_payload(marker)))
    with pytest.raises(UnsafeCheckpointError, match=r"getattr\(getattr, "
                       "'__self__'\)"):
        load_mmengine_checkpoint(path)
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path)  # plain torch.load after `import gdkd_seg`
    with pytest.raises(Exception), mmengine_checkpoint_loading():
        torch.load(path)  # within the allow-list too
    assert not marker.exists()


@pytest.mark.parametrize('obj,attr', [(HistoryBuffer, '__init__'),
                                      (HistoryBuffer, '__dict__'),
                                      (np.ndarray, 'tofile')])
def test_other_getattr_lookups_are_refused(real_ckpt, tmp_path, obj, attr):
    path = craft(real_ckpt, tmp_path,
                 lambda c: c['meta'].update(x=Reduce(getattr, obj, attr)))
    with pytest.raises(UnsafeCheckpointError,
                       match=rf"calls getattr\(.*'{attr}'\)"):
        load_mmengine_checkpoint(path)


def test_command_payload_is_refused_and_not_run(real_ckpt, tmp_path):
    marker = tmp_path / 'pwned'
    path = craft(real_ckpt, tmp_path, lambda c: c['meta'].update(
        x=Reduce(os.system, f'touch {marker}')))
    with pytest.raises(UnsafeCheckpointError, match='posix.system'):
        load_mmengine_checkpoint(path)
    assert not marker.exists()


def plant_in_optimizer(c):
    c['optimizer']['state'][0]['step'] = HistoryBuffer.mean


def plant_in_scheduler(c):
    c['param_schedulers'][0]['step'] = HistoryBuffer.max  # a method name


def plant_in_message_hub(c):
    c['message_hub']['runtime_info']['iter'] = np.ndarray


def plant_on_a_tensor(c):
    weight = c['state_dict']['linear.weight']
    weight.hook = HistoryBuffer.current  # a tensor attribute
    c['state_dict']['linear.weight'] = weight


def plant_as_a_key(c):
    c['meta'][HistoryBuffer.min] = 1


PLANTS = [plant_in_optimizer, plant_in_scheduler, plant_in_message_hub,
          plant_on_a_tensor, plant_as_a_key]


@pytest.mark.parametrize('plant', PLANTS, ids=lambda f: f.__name__)
def test_planted_callables_are_refused(real_ckpt, tmp_path, plant):
    """Objects the allow-list can build but that are not data (a class,
    a method reached through the narrowed getattr) are refused wherever
    they are."""
    path = craft(real_ckpt, tmp_path, plant)
    with pytest.raises(UnsafeCheckpointError, match='not data'):
        load_mmengine_checkpoint(path)


@pytest.mark.parametrize('methods', [
    dict(mean=HistoryBuffer.max),  # swaps a statistic
    dict(evil=HistoryBuffer.min),  # adds one
])
def test_history_buffer_statistics_cannot_be_replaced(
        real_ckpt, tmp_path, methods):
    """``HistoryBuffer.__setstate__`` writes a file's statistics methods
    into the class (process-wide): refused, and the class restored."""
    ckpt = load_mmengine_checkpoint(real_ckpt, logger='silent')
    before = dict(HistoryBuffer._statistics_methods)
    # HistoryBuffer.__getstate__ pickles the class-level dict
    HistoryBuffer._statistics_methods.update(methods)
    try:
        torch.save(ckpt, tmp_path / 'forged.pth')
    finally:
        HistoryBuffer._statistics_methods.clear()
        HistoryBuffer._statistics_methods.update(before)
    with pytest.raises(UnsafeCheckpointError, match='HistoryBuffer stat'):
        load_mmengine_checkpoint(str(tmp_path / 'forged.pth'))
    assert HistoryBuffer._statistics_methods == before


def test_check_checkpoint_accepts_data():
    data = dict(a=[1, 2.0, 'x', None, b'y', (3, ), {4}],
                t=torch.zeros(2), n=np.arange(3), s=np.float32(1),
                size=torch.Size([2]), dev=torch.device('cpu'),
                dt=torch.float16, ndt=np.dtype('f4'),
                h=HistoryBuffer([1.0], [1]),
                milestones=Counter({150: 1}))  # MultiStepLR's state
    check_checkpoint(data)
    for bad in (print, HistoryBuffer, np.array([None], dtype=object),
                type('Thing', (), {})(), Counter({print: 1}),
                defaultdict(print)):
        with pytest.raises(UnsafeCheckpointError):
            check_checkpoint(dict(x=[bad]))


# --- the runner: SafeLoadHook -------------------------------------------
def test_resume_needs_and_gets_the_hook(real_ckpt, tmp_path):
    runner = toy_runner(tmp_path / 'plain', max_iters=3,
                        load_from=real_ckpt, resume=True)
    with pytest.raises(Exception, match='Weights only load failed'):
        runner.train()
    runner = toy_runner(tmp_path / 'safe', max_iters=3,
                        hooks=('SafeLoadHook', 'RNGStateHook'),
                        load_from=real_ckpt, resume=True)
    runner.train()
    assert runner.iter == 3
    registered = map(global_name, torch.serialization.get_safe_globals())
    assert not set(registered) & set(map(global_name, ENTRIES))


def test_hook_refuses_planted_state_before_using_it(real_ckpt, tmp_path):
    path = craft(real_ckpt, tmp_path, plant_in_scheduler)
    runner = toy_runner(tmp_path / 'safe', max_iters=3,
                        hooks=('SafeLoadHook', ), load_from=path,
                        resume=True)
    weight = runner.model.linear.weight.detach().clone()
    with pytest.raises(UnsafeCheckpointError, match='param_schedulers'):
        runner.train()
    assert torch.equal(runner.model.linear.weight, weight)  # not loaded


def test_hook_covers_pretrained_init(real_ckpt, tmp_path):
    """``init_cfg=dict(type='Pretrained')`` loading an MMEngine checkpoint
    (e.g. the TL students' ImageNet run) works with the hook only."""

    init_cfg = dict(type='Pretrained', checkpoint=real_ckpt)
    for hooks, ok in ((), False), (('SafeLoadHook', ), True):
        runner = toy_runner(tmp_path / str(ok), hooks=hooks,
                            model=ToyModel(init_cfg))
        if ok:
            runner.train()
        else:
            with pytest.raises(Exception, match='Weights only'):
                runner.train()


# --- tools and the teacher ----------------------------------------------
def test_extract_student_reads_a_full_checkpoint(real_ckpt, tmp_path):
    """A distillation checkpoint as MMEngine writes it (message hub,
    numpy RNG state) is read by the tool's explicit safe loader."""
    path = craft(real_ckpt, tmp_path, lambda c: c.update(state_dict={
        f'student.{k}': v for k, v in c['state_dict'].items()}))
    out = tmp_path / 'student.pth'
    call_tool('extract_student.py', path, str(out))
    state = torch.load(out)['state_dict']  # plain: tensors only
    assert set(state) == {'linear.weight', 'linear.bias'}


@pytest.fixture
def teacher():
    return MODELS.build(load_model_cfg(TINY))


@pytest.fixture
def restore_trusted():
    saved = dict(safe_load._trusted)
    yield
    safe_load._trusted.clear()
    safe_load._trusted.update(saved)


@dataclasses.dataclass
class Payload:
    """An object of a plain data class: a checkpoint should not carry it
    unless the user allows the class."""

    value: int = 1


def save_with(path, teacher, extra):
    torch.save({'state_dict': teacher.state_dict(), 'meta': extra}, path)
    return str(path)


def test_teacher_checkpoint_with_mmengine_content_loads(real_ckpt, tmp_path,
                                                        teacher):
    real = load_mmengine_checkpoint(real_ckpt, logger='silent')
    path = save_with(tmp_path / 't.pth', teacher,
                     dict(message_hub=real['message_hub'],
                          rng=real['rng_state']))
    saved = {k: v.clone() for k, v in teacher.state_dict().items()}
    with torch.no_grad():
        for param in teacher.parameters():
            param.add_(1.0)  # the load must bring the saved values back
    load_teacher_weights(teacher, path)
    for key, value in teacher.state_dict().items():
        torch.testing.assert_close(value, saved[key], rtol=0, atol=0)


def test_arbitrary_object_is_refused_with_the_opt_in(tmp_path, teacher):
    path = save_with(tmp_path / 'obj.pth', teacher, Payload())
    name = f'{__name__}.Payload'
    with pytest.raises(UnsafeCheckpointError) as info:
        load_teacher_weights(teacher, path)
    message = str(info.value)
    assert name in message and ENV_VAR in message and path in message
    assert 'safe_globals' in message


@pytest.mark.parametrize('how', ['environment', 'config'])
def test_opt_in_by_name(tmp_path, teacher, monkeypatch, restore_trusted,
                        how):
    path = save_with(tmp_path / 'obj.pth', teacher, Payload(7))
    name = f'{__name__}.Payload'
    with pytest.raises(UnsafeCheckpointError):
        load_teacher_weights(teacher, path)
    if how == 'environment':
        monkeypatch.setenv(ENV_VAR, f' {name} ,')
    else:
        assert allow_globals([name, '']) == [name]  # tools/train.py's call
    load_teacher_weights(teacher, path)
    with mmengine_checkpoint_loading():
        assert torch.load(path)['meta'].value == 7
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path)  # only our loading paths trust it
    with pytest.raises(ValueError, match='not an importable'):
        allow_globals(['no_such_module_xyz.Thing'])


# --- tensor hook slots and every loading path ---------------------------
class Hooked:
    """Pickles as ``tensor`` rebuilt through ``_rebuild_from_type_v2``
    with ``slot`` (a C-level slot, not in ``__dict__``) set to
    ``{0: hook}``: autograd would call ``hook``."""

    def __init__(self, tensor, slot, hook):
        self.tensor, self.slot, self.hook = tensor, slot, hook

    def __reduce_ex__(self, protocol):
        rebuild, args = self.tensor.__reduce_ex__(2)
        state = {self.slot: OrderedDict({0: self.hook})}
        return torch._tensor._rebuild_from_type_v2, (rebuild, torch.Tensor,
                                                      args, state)


SLOTS = ['_backward_hooks', '_post_accumulate_grad_hooks']


def plant_hook(slot):
    def plant(c):
        c['state_dict']['linear.weight'] = Hooked(
            c['state_dict']['linear.weight'], slot, HistoryBuffer.mean)
    return plant


def plant_in_meta(c):
    c['meta']['step'] = HistoryBuffer.mean


@pytest.mark.parametrize('plant', [plant_hook(s) for s in SLOTS] +
                         [plant_in_meta], ids=SLOTS + ['meta'])
def test_every_loading_path_refuses_what_is_not_data(real_ckpt, tmp_path,
                                                     plant):
    path = craft(real_ckpt, tmp_path, plant)
    with mmengine_checkpoint_loading():  # the file does load as pickles
        loaded = torch.load(path)
    if plant is not plant_in_meta:
        assert getattr(loaded['state_dict']['linear.weight'],
                       plant.__closure__[0].cell_contents)
    match = 'not data'
    with pytest.raises(UnsafeCheckpointError, match=match):
        load_mmengine_checkpoint(path)  # tools, teacher, analysis tables
    runner = toy_runner(tmp_path / 'resume', max_iters=3,
                        hooks=('SafeLoadHook', ), load_from=path,
                        resume=True)
    with pytest.raises(UnsafeCheckpointError, match=match):
        runner.train()
    runner = toy_runner(tmp_path / 'init', hooks=('SafeLoadHook', ),
                        model=ToyModel(dict(type='Pretrained',
                                            checkpoint=path)))
    with pytest.raises(UnsafeCheckpointError, match=match):
        runner.train()  # init_cfg=dict(type='Pretrained')


def test_analysis_loading_refuses_tensor_hooks(tmp_path, teacher):
    from gdkd_seg.analysis.inference import load_cfg, load_model
    state = teacher.state_dict()
    name = next(iter(state))
    state[name] = Hooked(state[name], '_backward_hooks', OrderedDict)
    torch.save({'state_dict': state, 'meta': {}}, tmp_path / 'h.pth')
    with pytest.raises(UnsafeCheckpointError, match='_backward_hooks'):
        load_model(load_cfg(TINY), str(tmp_path / 'h.pth'))


# --- TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD -------------------------------------
def test_our_loaders_stay_safe_when_torch_is_told_not_to_be(
        real_ckpt, tmp_path, monkeypatch):
    """With the variable set, torch.load without ``weights_only`` (how
    MMEngine calls it) unpickles anything; our loaders set it aside."""
    marker = tmp_path / 'pwned'
    path = craft(real_ckpt, tmp_path, lambda c: c['meta'].update(
        x=Reduce(os.system, f'touch {marker}')))
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    with pytest.raises(UnsafeCheckpointError, match='posix.system'):
        load_mmengine_checkpoint(path)
    with pytest.raises(UnsafeCheckpointError, match='posix.system'):
        call_tool('extract_student.py', path, str(tmp_path / 'out.pth'))
    runner = toy_runner(tmp_path / 'safe', max_iters=3,
                        hooks=('SafeLoadHook', ), load_from=path,
                        resume=True)
    with pytest.raises(UnsafeCheckpointError, match='posix.system'):
        runner.train()
    assert not marker.exists()
    assert os.environ['TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'] == '1'  # back
    assert load_mmengine_checkpoint(real_ckpt)['meta']['iter'] == 2


# --- the opt-in takes plain data classes only ----------------------------
def test_opt_in_of_what_is_allowed_already_changes_nothing(
        monkeypatch, restore_trusted, real_ckpt):
    """A config written for a loader without the float32 dtype (the
    CIRKD protocol configs once had
    ``safe_globals = ['numpy.dtypes.Float32DType']``) still builds;
    nothing is added to the trusted names."""
    names = ['numpy.dtypes.Float32DType',
             'mmengine.logging.history_buffer.HistoryBuffer']
    assert allow_globals(names) == []
    assert not set(names) & set(safe_load._trusted)
    monkeypatch.setenv(ENV_VAR, ','.join(names))
    assert load_mmengine_checkpoint(real_ckpt)['meta']['iter'] == 2


@pytest.mark.parametrize('name,why', [
    ('subprocess.check_call', 'function'),
    ('subprocess.Popen', 'defines __init__'),
    ('builtins.eval', 'builtin_function'),
    ('posix.system', 'builtin_function'),
    ('pathlib.Path', 'defines'),
    ('collections.OrderedDict', 'defines'),
    ('mmengine.config.Config', 'defines __init__'),
    ('enum.Enum', 'metaclass'),
    ('numpy.dtypes.Float16DType', 'metaclass'),
])
def test_opt_in_refuses_what_could_run_code(name, why, monkeypatch,
                                            restore_trusted, real_ckpt):
    with pytest.raises(UnsafeCheckpointError, match=why):
        allow_globals([name])
    assert name not in safe_load._trusted
    monkeypatch.setenv(ENV_VAR, name)
    with pytest.raises(UnsafeCheckpointError, match=why):
        load_mmengine_checkpoint(real_ckpt)


def test_following_the_advice_never_runs_a_command(real_ckpt, tmp_path,
                                                   monkeypatch):
    """The issue's case: a file calling subprocess.check_call. The refusal
    does not offer the opt-in, and taking it anyway is refused."""
    marker = tmp_path / 'pwned'
    path = craft(real_ckpt, tmp_path, lambda c: c['meta'].update(
        x=Reduce(subprocess.check_call, ['touch', str(marker)])))
    with pytest.raises(UnsafeCheckpointError) as info:
        load_mmengine_checkpoint(path)
    # pickle protocol 2 names it by its Python 2 name, commands.check_call
    assert 'check_call' in str(info.value)
    assert ENV_VAR not in str(info.value)
    monkeypatch.setenv(ENV_VAR, 'subprocess.check_call')
    with pytest.raises(UnsafeCheckpointError, match='refused to allow'):
        load_mmengine_checkpoint(path)
    monkeypatch.setenv(ENV_VAR, 'commands.check_call')
    with pytest.raises(ValueError, match='not an importable'):
        load_mmengine_checkpoint(path)
    assert not marker.exists()
    # a function the process knows: named, and not offered either
    monkeypatch.delenv(ENV_VAR)
    path = craft(real_ckpt, tmp_path, lambda c: c['meta'].update(
        x=Reduce(os.path.join, 'a')), name='join.pth')
    with pytest.raises(UnsafeCheckpointError) as info:
        load_mmengine_checkpoint(path)
    assert 'posixpath.join cannot be allowed: it is a function' in str(
        info.value) and ENV_VAR not in str(info.value)


def test_advice_never_imports_a_module_the_file_names(tmp_path, teacher,
                                                      monkeypatch):
    path = save_with(tmp_path / 'obj.pth', teacher, Payload())
    monkeypatch.delitem(sys.modules, __name__)
    with pytest.raises(UnsafeCheckpointError) as info:
        load_teacher_weights(teacher, path)
    assert 'cannot tell' in str(info.value)
    assert ENV_VAR not in str(info.value)
    assert __name__ not in sys.modules


def test_objects_of_trusted_classes_are_checked_inside(
        tmp_path, teacher, restore_trusted):
    allow_globals([f'{__name__}.Payload'])
    path = save_with(tmp_path / 'obj.pth', teacher,
                     Payload(HistoryBuffer.mean))
    with pytest.raises(UnsafeCheckpointError, match=r'meta\.value'):
        load_teacher_weights(teacher, path)
