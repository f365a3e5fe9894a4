"""Every file under configs/ parses, and every config that has a model
builds it: distillers with their teachers built from the teachers' own
configs (each distinct teacher built once), no weights loaded, no network
(found by globbing, so configs added later are covered too)."""
import glob
import os.path as osp
import socket
from contextlib import nullcontext

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import MODELS, DefaultScope

import gdkd_seg  # noqa: F401  (what the configs' custom_imports import)
from gdkd_seg.models.distillers.base import load_model_cfg
from tests.conftest import REPO

CONFIGS = sorted(
    glob.glob(str(REPO / 'configs' / '**' / '*.py'), recursive=True))
# teachers by their resolved config: each is built once and shared by the
# configs that distil from it (an R101 takes ~2.5 s to build here, and
# ~200 configs distil from a dozen teachers: this keeps CI in budget)
_TEACHERS = {}
# resolved model configs without `pretrained` already built and checked:
# configs that differ only in the weights they would load (the ViT-B
# UperNet configs of configs/mim, 164M parameters) are built once
_BUILT = set()
# classification students the same way (a ViT-B takes ~1 s; the 16
# ImageNet ViT pairs distil into two students)
_STUDENTS = {}


def teacher_of(model, device=nullcontext()) -> torch.nn.Module:
    """The distiller's teacher, built from its config as
    ``build_teacher`` does (no weights), or the same one built before."""
    cfg, _, scope = model._teacher_spec
    cfg = load_model_cfg(cfg)
    key = (scope, repr(cfg.to_dict()))
    if key not in _TEACHERS:
        with DefaultScope.overwrite_default_scope(scope), device:
            _TEACHERS[key] = MODELS.build(cfg)
    return _TEACHERS[key]


def device_for(cfg: Config, path: str):
    """Where to build: MMPretrain ViTs of configs/mim (ViT-B/L students
    and teachers, 22-330M parameters) on the meta device, which checks
    every shape without filling ~10 s of random weights; the rest on the
    CPU (MMSeg's ViTs call ``.item()`` while building)."""
    mim = f'{osp.sep}configs{osp.sep}mim{osp.sep}' in path
    if mim and cfg.get('default_scope') == 'mmpretrain':
        return torch.device('meta')
    return nullcontext()


def scope_of(cfg: Config, path: str) -> str:
    """The registry scope a config's model is built in (fragments under
    ``_base_`` have no ``default_scope`` of their own)."""
    if cfg.get('default_scope'):
        return cfg.default_scope
    return 'mmpretrain' if f'{osp.sep}cls{osp.sep}' in path else 'mmseg'


@pytest.fixture
def shared_students(monkeypatch):
    """A distiller's ``ImageClassifier`` student whose resolved config was
    built before is that model again (MMPretrain's registry only: the
    segmentation students are cheap)."""
    from mmpretrain.registry import MODELS as CLS_MODELS
    build = CLS_MODELS.build

    def cached(cfg, *args, **kwargs):
        if args or kwargs or cfg.get('type') != 'ImageClassifier':
            return build(cfg, *args, **kwargs)
        key = repr(ConfigDict(cfg).to_dict())
        if key not in _STUDENTS:
            _STUDENTS[key] = build(cfg)
        return _STUDENTS[key]

    monkeypatch.setattr(CLS_MODELS, 'build', cached)


@pytest.fixture
def no_network(monkeypatch):
    """Any connection or name lookup fails the test: building must not
    download (``pretrained=open-mmlab://...`` and ``init_cfg=dict(type=
    'Pretrained', ...)`` only load in ``init_weights``, which is not
    called; teachers get ``teacher_ckpt=None``)."""

    def refuse(*args, **kwargs):
        raise AssertionError(f'network access while building: {args}')

    for name in ('connect', 'connect_ex'):
        monkeypatch.setattr(socket.socket, name, refuse)
    for name in ('getaddrinfo', 'create_connection'):
        monkeypatch.setattr(socket, name, refuse)


def test_no_network_fixture_refuses_connections(no_network):
    with pytest.raises(AssertionError, match='network access'):
        socket.create_connection(('download.openmmlab.com', 443))
    with pytest.raises(AssertionError, match='network access'):
        socket.socket().connect(('127.0.0.1', 9))


def test_every_config_family_is_found():
    found = {osp.relpath(p, REPO / 'configs').split(osp.sep)[0]
             for p in CONFIGS}
    assert {'baselines', 'cirkd_protocol', 'cls', 'demo', 'dkd', 'gdkd',
            'kd', '_base_'} <= found
    assert len(CONFIGS) > 150


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, REPO / 'configs') for p in CONFIGS])
def test_config_parses_and_builds_its_model(path, no_network,
                                            shared_students):
    cfg = Config.fromfile(path)
    if 'model' not in cfg:  # a fragment: datasets, schedules, runtime
        assert '_base_' in path.split(osp.sep), f'{path} has no model'
        return
    model_cfg = cfg.model.copy()
    distiller = 'teacher' in model_cfg
    if distiller:
        model_cfg.teacher_ckpt = None  # the teacher from its config only
    device = device_for(cfg, path)
    key = (scope_of(cfg, path), repr({k: v for k, v in
                                      model_cfg.to_dict().items()
                                      if k != 'pretrained'}))
    if key in _BUILT:
        return
    with DefaultScope.overwrite_default_scope(key[0]), device:
        model = MODELS.build(model_cfg)
    assert isinstance(model, torch.nn.Module)
    assert sum(p.numel() for p in model.parameters()) > 0
    if distiller:
        teacher = teacher_of(model, device)
        model.check_teacher(teacher)  # classes, aux head, widths: it fits
        assert sum(p.numel() for p in teacher.parameters()) > 0
        # logit distillers have losses; DMAE/AMD their projections
        assert len(getattr(model, 'distill_losses', None)
                   or model.projectors) > 0
    _BUILT.add(key)


# configs that restate a shipped config's distillation settings over a
# shared base (the demo's, tests/configs' tiny_gdkd.py) -> that config
RESTATED = {
    'configs/demo/kd_plainnet32_to_plainnet16_digits.py':
    'configs/kd/deeplabv3_r101_to_r18_cityscapes.py',
    'configs/demo/dkd_plainnet32_to_plainnet16_digits.py':
    'configs/dkd/deeplabv3_r101_to_r18_cityscapes.py',
    'configs/demo/gdkd_plainnet32_to_plainnet16_digits.py':
    'configs/gdkd/deeplabv3_r101_to_r18_cityscapes.py',
    'configs/demo/gdkd_plainnet32_to_plainnet16_ls_digits.py':
    'configs/gdkd/deeplabv3_r101_to_r18_ls_cityscapes.py',
    'tests/configs/tiny_gdkd.py':
    'configs/gdkd/deeplabv3_r101_to_r18_cityscapes.py',
    'tests/configs/tiny_cwd.py':
    'configs/cwd/deeplabv3_r101_to_r18_cityscapes.py',
    'tests/configs/tiny_cwd_gdkd.py':
    'configs/cwd/deeplabv3_r101_to_r18_cwd_gdkd_cityscapes.py',
    'tests/configs/tiny_ctkd_gdkd.py':
    'configs/ctkd/deeplabv3_r101_to_r18_gdkd_cityscapes.py',
    'tests/configs/tiny_cirkd_gdkd.py':
    'configs/cirkd_protocol/gdkd/gdkd_deeplabv3-r101_to_deeplabv3-r18_'
    '8xb2-40k_cityscapes-512x1024.py',
}


@pytest.mark.parametrize('config', list(RESTATED))
def test_restated_distillation_settings_match(config):
    """The demo's and the tests' shrunk configs distil exactly as the
    shipped config they stand for: every distiller setting but the
    student, the teacher and its checkpoint."""
    ours = Config.fromfile(str(REPO / config), import_custom_modules=False)
    shipped = Config.fromfile(str(REPO / RESTATED[config]),
                              import_custom_modules=False)
    keys = set(ours.model) | set(shipped.model)
    for key in keys - {'student', 'teacher', 'teacher_ckpt'}:
        assert ours.model.get(key) == shipped.model.get(key), key
