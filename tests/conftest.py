"""Fixtures shared by the test suite: a tiny Cityscapes-layout dataset."""
import os
import os.path as osp
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests import tool_process

REPO = Path(__file__).resolve().parents[1]

# Cityscapes trainId colours of a few classes (road, building, vegetation,
# car, sky, person), used to paint images the models can learn from.
_PALETTE = {
    0: (128, 64, 128),
    2: (70, 70, 70),
    8: (107, 142, 35),
    13: (0, 0, 142),
    10: (70, 130, 180),
    11: (220, 20, 60)
}


def make_tiny_cityscapes(root: str,
                         n_train: int = 4,
                         n_val: int = 2,
                         size=(64, 128),
                         seed: int = 0) -> str:
    """Write ``leftImg8bit/`` + ``gtFine/*_labelTrainIds.png`` under root.

    Each image is road with random rectangles of other classes (noisy
    class colours); a 1-pixel band at rectangle borders is 255 (ignore).
    """
    import cv2
    rng = np.random.default_rng(seed)
    h, w = size
    classes = list(_PALETTE)
    for split, n in (('train', n_train), ('val', n_val)):
        img_dir = osp.join(root, 'leftImg8bit', split, 'tinycity')
        ann_dir = osp.join(root, 'gtFine', split, 'tinycity')
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(ann_dir, exist_ok=True)
        for i in range(n):
            label = np.zeros((h, w), np.uint8)
            for _ in range(4):
                c = classes[rng.integers(1, len(classes))]
                y0, x0 = rng.integers(0, h - 16), rng.integers(0, w - 24)
                y1 = y0 + rng.integers(8, 16)
                x1 = x0 + rng.integers(12, 24)
                label[y0:y1, x0:x1] = c
                label[y0, x0:x1] = label[y1 - 1, x0:x1] = 255
                label[y0:y1, x0] = label[y0:y1, x1 - 1] = 255
            rgb = np.zeros((h, w, 3), np.float32)
            for c, colour in _PALETTE.items():
                rgb[label == c] = colour
            rgb += rng.normal(0, 12, rgb.shape)
            name = f'tinycity_{i:06d}_000019'
            cv2.imwrite(osp.join(img_dir, f'{name}_leftImg8bit.png'),
                        np.clip(rgb, 0, 255).astype(np.uint8)[..., ::-1])
            cv2.imwrite(
                osp.join(ann_dir, f'{name}_gtFine_labelTrainIds.png'), label)
    return root


def make_tiny_ade20k(root: str,
                     n_train: int = 2,
                     n_val: int = 1,
                     size=(64, 128),
                     seed: int = 0) -> str:
    """Write the ADE20K layout under root: ``images/{training,validation}``
    (.jpg) and ``annotations/...`` (.png) with raw ADE labels: 0 is
    "other" (``reduce_zero_label`` makes it 255, ignored) and 1..5 are
    classes (0..4 after the reduction). Each image has label-0 and
    labelled regions wide enough to survive a stride-8 downsampling."""
    import cv2
    rng = np.random.default_rng(seed)
    h, w = size
    colours = [(0, 0, 0), *_PALETTE.values()]
    for split, n in (('training', n_train), ('validation', n_val)):
        img_dir = osp.join(root, 'images', split)
        ann_dir = osp.join(root, 'annotations', split)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(ann_dir, exist_ok=True)
        for i in range(n):
            label = np.ones((h, w), np.uint8)
            label[:, w // 2:] = 2
            for _ in range(4):
                c = int(rng.integers(0, 6))
                y0, x0 = rng.integers(0, h - 16), rng.integers(0, w - 24)
                label[y0:y0 + 16, x0:x0 + 24] = c
            label[:16, :32] = 0  # always some "other"
            rgb = np.array(colours, np.float32)[label]
            rgb += rng.normal(0, 12, rgb.shape)
            name = f'ADE_{split}_{i:08d}'
            cv2.imwrite(osp.join(img_dir, f'{name}.jpg'),
                        np.clip(rgb, 0, 255).astype(np.uint8)[..., ::-1])
            cv2.imwrite(osp.join(ann_dir, f'{name}.png'), label)
    return root


@pytest.fixture(scope='session')
def tiny_cityscapes(tmp_path_factory) -> str:
    """A tiny Cityscapes-layout dataset (4 train, 2 val images)."""
    return make_tiny_cityscapes(str(tmp_path_factory.mktemp('cityscapes')))


def run_tool(*args: str, env: dict = None, timeout: int = 600,
             check: bool = True) -> subprocess.CompletedProcess:
    """Run ``python <args>`` from the repo root as a user would."""
    full_env = dict(os.environ, **(env or {}))
    full_env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO), full_env.get('PYTHONPATH', '')])
    # a forked child of a process that imported torch and MMEngine once
    # (tests/tool_process.py): the ~4 s of imports per run add up
    proc = tool_process.run_python(list(args), full_env, str(REPO), timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed ({proc.returncode}):\n'
                             f'{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}')
    return proc


@pytest.fixture(scope='session')
def demo_quick(tmp_path_factory):
    """``tools/demo.py --quick`` run once for the whole session: the
    shipped teacher, every method, seeds 0 and 1, through the demo's
    worker processes, in a work dir whose path holds a quote (paths reach
    the configs through --cfg-options, never pasted into their source).
    Returns ``(work_dir, stdout)``; tests read what it wrote and must not
    change it."""
    work = tmp_path_factory.mktemp('demo') / "it's the demo"
    proc = run_tool('tools/demo.py', '--quick', '--work-dir', str(work),
                    timeout=900)
    return work, proc.stdout


def make_tiny_teacher_ckpt(path: str, seed: int = 0,
                           config: str = 'tiny_teacher.py') -> str:
    """Save a tiny model (by default the DeepLabV3 of
    tests/configs/tiny_teacher.py) with random seeded weights as MMEngine
    would (``{'state_dict', 'meta'}``)."""
    import torch
    from mmengine.config import Config
    from mmseg.registry import MODELS

    import gdkd_seg  # noqa: F401
    torch.manual_seed(seed)
    cfg = Config.fromfile(str(REPO / 'tests' / 'configs' / config))
    teacher = MODELS.build(cfg.model)
    teacher.init_weights()
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, path)
    return path


@pytest.fixture(scope='session')
def tiny_teacher_ckpt(tmp_path_factory) -> str:
    """A checkpoint of the tiny teacher (random, seeded weights)."""
    return make_tiny_teacher_ckpt(
        str(tmp_path_factory.mktemp('teacher') / 'teacher.pth'))


def call_tool(script: str, *args: str):
    """Run ``tools/<script>``'s ``main()`` in this process: seconds faster
    than :func:`run_tool` per call, for runs expected to stop early."""
    import runpy
    from unittest import mock
    module = runpy.run_path(str(REPO / 'tools' / script),
                            run_name='gdkd_tool')
    with mock.patch.object(sys, 'argv', [script, *args]):
        return module['main']()


def _mmengine_globals():
    """Save MMEngine's global instances; restore them when resumed."""
    from mmengine.logging import MessageHub
    from mmengine.registry import DefaultScope
    saved = {cls: dict(cls._instance_dict)
             for cls in (DefaultScope, MessageHub)}
    yield
    for cls, instances in saved.items():
        cls._instance_dict.clear()
        cls._instance_dict.update(instances)


@pytest.fixture(autouse=True, scope='session')
def _package_lookups_once():
    """Answer MMEngine's lookups of installed packages once per session.

    To resolve each ``mmseg::``/``mmpretrain::`` base of a config,
    MMEngine reloads ``pkg_resources`` to ask whether the package is
    installed (30 ms) and loads every metafile of its model zoo (~80 YAML
    files: 0.25 s for MMSeg, 0.7 s for MMPretrain on the 2-core VM): 95 %
    of the time that parsing every config under configs/ took. Installed
    packages and their files do not change during a session, and MMEngine
    only reads what it loaded, so the answers and the files' content are
    kept. Tool runs, in processes of their own, look them up as a user's
    run does.
    """
    import mmengine.config.config as cfg_module
    import mmengine.config.utils as cfg_utils
    load, installed, cache, answers = (cfg_utils.load,
                                       cfg_module.is_installed, {}, {})

    def load_once(path, *args, **kwargs):
        if args or kwargs or f'{os.sep}.mim{os.sep}' not in str(path):
            return load(path, *args, **kwargs)
        if path not in cache:
            cache[path] = load(path)
        return cache[path]

    def is_installed_once(package):
        if package not in answers:
            answers[package] = installed(package)
        return answers[package]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cfg_utils, 'load', load_once)
        patch.setattr(cfg_module, 'is_installed', is_installed_once)
        yield


def pytest_sessionfinish(session):
    tool_process.close()


@pytest.fixture(autouse=True)
def _restore_mmengine_globals():
    """Isolate tests from each other's MMEngine globals.

    A test that runs a Runner in-process leaves its default scope (e.g.
    ``mmseg``) as MMEngine's current one, and test code may set message
    hub info; later tests building MMPretrain models would then look in
    the wrong registry or see a stale iteration. Each test gets back the
    instances that existed before it.
    """
    yield from _mmengine_globals()


@pytest.fixture(autouse=True, scope='module')
def _restore_mmengine_globals_per_module():
    """The same around a module: its module-scoped fixtures (a run
    trained in-process) are set up before any per-test fixture saves,
    and their runner's scope would otherwise stay current for the later
    modules (CI failed so: MMPretrain builds looked in the 'mmengine'
    registry)."""
    yield from _mmengine_globals()


# -- running on several processes (pytest-xdist, ``-n auto`` in pytest.ini)
# Tests sharing an expensive fixture run on one worker, so it is built
# once: a module-scoped fixture (a run trained for its module) groups its
# module, a shared session fixture its users. The distributed tests start
# process groups of their own: they share one worker, one at a time.
# Everything else is spread test by test (``--dist loadgroup``).
_SHARED_SESSION_FIXTURES = ('tiny_cifar', 'demo_quick')


def _xdist_group(item) -> 'str | None':
    if 'distributed' in item.path.name:
        return 'distributed'
    if item.path.name == 'test_configs.py':  # builds each teacher once
        return 'test_configs'
    info = getattr(item, '_fixtureinfo', None)
    if info is None:
        return None
    for name in info.names_closure:
        defs = info.name2fixturedefs.get(name)
        if not defs or name.startswith('_'):
            continue
        if defs[-1].scope == 'session' and name in _SHARED_SESSION_FIXTURES:
            return name
    for name in info.names_closure:
        defs = info.name2fixturedefs.get(name)
        if defs and not name.startswith('_') and defs[-1].scope == 'module':
            return str(item.path.relative_to(REPO))
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = _xdist_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_configure(config):
    # one intra-op thread per xdist worker: the workers already fill the
    # cores, and OpenMP threads spinning against each other make CPU
    # training many times slower
    if os.environ.get('PYTEST_XDIST_WORKER'):
        import torch
        torch.set_num_threads(1)
        os.environ.setdefault('OMP_NUM_THREADS', '1')  # the tools it runs
