"""The frozen teacher every distiller shares: built from a config, loaded
strictly and safely from a checkpoint, kept out of the module tree.

:class:`FrozenTeacherMixin` is the teacher half of
:class:`~gdkd_seg.models.distillers.BaseDistiller` (logit distillation of
a ``student`` sub-model) and of the masked-image distillers of
:mod:`gdkd_seg.cls.selfsup` (which *are* the student, an MMPretrain
``MAE``): both put it before their OpenMMLab base class.
"""
import os.path as osp
from typing import Optional, Union

import torch.nn as nn
from mmengine.config import Config, ConfigDict
from mmengine.hub import get_config
from mmengine.registry import MODELS as MODEL_ROOT
from mmengine.registry import DefaultScope

from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from gdkd_seg.engine.rng import preserved_rng

CfgType = Union[dict, ConfigDict, str]


def load_model_cfg(cfg: CfgType) -> ConfigDict:
    """A model config from a dict, a config file or an ``mmseg::`` path.

    A file's ``model`` field is taken. Returns a :class:`ConfigDict` (MMSeg
    models built from a plain dict fail in ``predict``).
    """
    if isinstance(cfg, str):
        if '::' in cfg:
            cfg = get_config(cfg).model
        elif osp.isfile(cfg):
            cfg = Config.fromfile(cfg).model
        else:
            raise FileNotFoundError(f'model config not found: {cfg}')
    return ConfigDict(cfg)


def load_teacher_weights(teacher: nn.Module, ckpt: str) -> None:
    """Load ``ckpt`` (path or URL) into ``teacher``, strictly.

    Raises:
        FileNotFoundError: a local checkpoint that does not exist.
        ValueError: keys that do not match the teacher config.
        UnsafeCheckpointError: a checkpoint holding pickled objects
            outside the safe-loading allow-list.
    """
    if '://' not in ckpt and not osp.isfile(ckpt):
        raise FileNotFoundError(
            f'teacher checkpoint not found: {ckpt} (set model.teacher_ckpt '
            'to a local file or a URL)')
    checkpoint = load_mmengine_checkpoint(
        ckpt, what=f'teacher checkpoint {ckpt}')
    state = checkpoint.get('state_dict', checkpoint)
    state = {k[7:] if k.startswith('module.') else k: v
             for k, v in state.items()}
    own = teacher.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [k for k in own if k in state and state[k].shape != own[k].shape]
    if missing or unexpected or shapes:
        raise ValueError(
            f'teacher checkpoint {ckpt} does not match the teacher config: '
            f'{len(missing)} missing keys {missing[:3]}, {len(unexpected)} '
            f'unexpected keys {unexpected[:3]}, {len(shapes)} keys of '
            f'another shape {shapes[:3]} (a distiller checkpoint? export '
            'its student with tools/extract_student.py)')
    teacher.load_state_dict(state, strict=True)


class FrozenTeacherMixin:
    """A frozen teacher beside an ``nn.Module``, outside its module tree.

    The teacher is in no ``state_dict`` (so never in a checkpoint), no
    optimizer, ``init_weights`` or DDP bucket; ``_apply`` moves it with
    the model; every ``train()`` puts it back in eval mode (its dropout
    off, its BatchNorm statistics frozen; LayerNorm has no state) and its
    parameters never require gradients.

    It is built and loaded only when training needs it:
    :meth:`init_weights` (which MMEngine's runner calls before the first
    iteration of ``train()``, never for ``val()``/``test()``), or the
    first access to :attr:`teacher`. Inference and the test tools build
    the model alone.

    Put it first among the bases (``class D(FrozenTeacherMixin,
    BaseModel)``) and call :meth:`setup_teacher` in ``__init__`` after
    the base class's ``__init__``.
    """

    def setup_teacher(self, teacher: CfgType, teacher_ckpt: Optional[str],
                      scope: str) -> None:
        """Remember how to build the teacher (built on first use).

        Args:
            teacher: its config: a dict, a config file or an ``mmseg::`` /
                ``mmpretrain::`` path.
            teacher_ckpt: path or URL of its weights (``None`` only for
                tests that set the teacher's weights themselves).
            scope: the registry scope it is built in (``'mmseg'``,
                ``'mmpretrain'``).
        """
        # plain attributes, not submodules (see the class docstring)
        object.__setattr__(self, '_teacher', None)
        object.__setattr__(self, '_teacher_spec',
                           (teacher, teacher_ckpt, scope))

    @property
    def teacher(self) -> nn.Module:
        """The frozen teacher (built and loaded on first use).

        Raises:
            RuntimeError: an ``AttributeError`` raised while building or
                checking the teacher, with its message (and as its
                ``__cause__``). Python answers an ``AttributeError``
                escaping a property by calling ``nn.Module.__getattr__``,
                which would replace it with "object has no attribute
                'teacher'"; any other error passes unchanged.
        """
        try:
            return self.build_teacher()
        except AttributeError as err:
            raise RuntimeError(
                f'building the teacher failed: {type(err).__name__}: '
                f'{err}') from err

    def build_teacher(self) -> nn.Module:
        """Build the teacher, load its checkpoint strictly, freeze it and
        check it against the model, once; then return it.

        Raises:
            FileNotFoundError, ValueError, UnsafeCheckpointError: a
                missing or mismatching teacher checkpoint (see
                :func:`load_teacher_weights`), or a teacher that does not
                fit the model (:meth:`check_teacher`).
        """
        if self._teacher is not None:
            return self._teacher
        cfg, ckpt, scope = self._teacher_spec
        # the teacher's own initialisation draws random numbers: undo
        # that, so the student starts (and continues) exactly as an
        # undistilled one built with the same seed
        with DefaultScope.overwrite_default_scope(scope), preserved_rng():
            teacher = MODEL_ROOT.build(load_model_cfg(cfg))
        if ckpt is not None:
            load_teacher_weights(teacher, ckpt)
        teacher.requires_grad_(False).eval()
        # where the model is (the runner moved it before training)
        where = next(self.parameters(), None)
        if where is not None:
            teacher.to(where.device)
        self.check_teacher(teacher)
        object.__setattr__(self, '_teacher', teacher)
        return teacher

    def check_teacher(self, teacher: nn.Module) -> None:
        """Reject a teacher that cannot teach this model (subclasses
        compare class counts, heads, widths, normalisation)."""

    def init_weights(self) -> None:
        """The teacher first (training starts here: its errors come
        before the first iteration), then the model's own init."""
        self.build_teacher()
        super().init_weights()

    def train(self, mode: bool = True):
        super().train(mode)
        if self._teacher is not None:
            self._teacher.eval()  # dropout off, BN frozen, every time
        return self

    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        if self._teacher is not None:
            self._teacher._apply(fn, *args, **kwargs)
        return self
