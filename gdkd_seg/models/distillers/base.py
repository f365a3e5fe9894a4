"""What the segmentation and classification distillers share: a frozen
teacher built from a config plus a checkpoint, the distillation losses,
their warm-up, and the student's data preprocessor and inference modes."""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope, Registry
from torch import Tensor

from gdkd_seg.registry import MODELS as LOSSES
# the teacher machinery, re-exported where it always was
from .frozen_teacher import (CfgType, FrozenTeacherMixin,  # noqa: F401
                             load_model_cfg, load_teacher_weights)


def current_iter() -> Optional[int]:
    """The runner's 1-indexed iteration as its log prints it (``None``
    outside a runner)."""
    step = MessageHub.get_current_instance().get_info('iter')
    return None if step is None else step + 1


class BaseDistiller(FrozenTeacherMixin, BaseModel):
    """A student trained with distillation losses from a frozen teacher.

    The teacher (:class:`FrozenTeacherMixin`) is kept outside the module
    tree (moved with the student by ``_apply``), so it is in no
    ``state_dict``, optimizer, ``init_weights`` or DDP bucket, and is put
    back in eval mode on every ``train()``.

    The teacher is built and loaded only when training needs it:
    :meth:`init_weights` (which MMEngine's runner calls before the first
    iteration of ``train()``, never for ``val()``/``test()``), the first
    ``loss`` or an access to :attr:`teacher`. Inference through MMSeg's
    APIs (``init_model``, ``MMSegInferencer``, ``tools/test.py``, the
    analysis tools) builds the student alone, with the student's memory
    and start-up time, and needs no teacher checkpoint.

    Args:
        student: the student model's config.
        teacher: the teacher's config: a dict, a config file or a
            ``mmseg::`` / ``mmpretrain::`` path.
        teacher_ckpt: path or URL of the teacher's weights (``None`` only
            for tests that set the teacher's weights themselves).
        distill_losses: one or more registered loss configs
            (e.g. ``dict(type='GDKDLoss', k=3)``).
        registry: where student and teacher are built.
        data_preprocessor: used by the student if its config has none
            (MMEngine's runner passes a config's top-level one here).
        init_cfg: MMEngine's init config (of the student side).
        pretrained: accepted because MMSeg's ``init_model`` and
            ``benchmark.py`` set it on any segmentor config; ``None``
            (theirs) leaves the student's own setting alone, a string
            replaces the student's ``pretrained``.
        train_cfg: accepted for the same reason (they set ``None``); the
            student keeps its own ``train_cfg``.

    Attributes:
        check_finite: stop with a :class:`FloatingPointError` naming the
            iteration and term when a distillation loss is NaN/inf
            (default ``True``; costs one device sync per iteration).
    """

    check_finite: bool = True

    def __init__(self,
                 student: CfgType,
                 teacher: CfgType,
                 teacher_ckpt: Optional[str],
                 distill_losses: Union[dict, Sequence[dict]],
                 registry: Registry,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        student = load_model_cfg(student)
        if data_preprocessor is not None:
            student.setdefault('data_preprocessor', data_preprocessor)
        if pretrained is not None:
            student['pretrained'] = pretrained
        # nested builds (data preprocessors) look in the models' scope
        with DefaultScope.overwrite_default_scope(registry.scope):
            self.student = registry.build(student)
        # the runner feeds batches through the student's preprocessor
        self.data_preprocessor = self.student.data_preprocessor
        self.setup_teacher(teacher, teacher_ckpt, registry.scope)
        if not distill_losses:
            raise ValueError(
                f'distill_losses is empty ({distill_losses!r}): give at '
                "least one loss config, e.g. dict(type='KDLoss'); without "
                'one the student would train undistilled')
        if isinstance(distill_losses, dict):
            distill_losses = [distill_losses]
        self.distill_losses = nn.ModuleList()
        for cfg in distill_losses:
            if LOSSES.get(cfg['type']) is None:
                raise KeyError(f"distillation loss {cfg['type']!r} is not "
                               'registered (is gdkd_seg imported?)')
            self.distill_losses.append(LOSSES.build(cfg))
        self.register_load_state_dict_pre_hook(
            BaseDistiller._accept_plain_student)

    def _accept_plain_student(self, state_dict: dict, prefix: str,
                              *args) -> None:
        """Load pre-hook: a plain (exported) student checkpoint loads too.

        A state dict whose keys all start like the distiller's own
        (``student.``, ``distill_losses.``, ``data_preprocessor.``) is left
        alone (``load_state_dict`` reports missing/unexpected keys as
        usual). One whose keys are all keys of the student's own state
        dict (what ``tools/extract_student.py`` writes, or a plain
        MMSeg/MMPretrain run of the student) gets the ``student.``
        prefix. Anything else is refused rather than guessed at.

        Raises:
            ValueError: a mix, or keys that belong to neither.
        """
        own = ('student.', 'distill_losses.', 'data_preprocessor.')
        keys = [k[len(prefix):] for k in state_dict if k.startswith(prefix)]
        foreign = [k for k in keys if not k.startswith(own)]
        if not foreign:
            return
        student = set(self.student.state_dict())
        others = [k for k in keys if k not in student]
        if others:
            raise ValueError(
                f'{type(self).__name__} loads its own checkpoints (keys '
                f'{own[0]!r}...) or a plain student checkpoint (every key a '
                f'key of the student model); this one has {len(foreign)} '
                f'keys that are not the distiller\'s, e.g. {foreign[:3]}, '
                f'and {len(others)} that are not the student\'s, e.g. '
                f'{others[:3]}. A teacher checkpoint belongs in '
                'teacher_ckpt.')
        for key in keys:
            state_dict[f'{prefix}student.{key}'] = state_dict.pop(
                prefix + key)

    def check_losses(self, num_classes: int) -> None:
        """Reject loss hyperparameters that cannot work with
        ``num_classes`` (a top-k with k >= C) before the first iteration:
        each loss that has a ``check_num_classes`` method runs it."""
        for module in self.distill_losses:
            check = getattr(module, 'check_num_classes', None)
            if check is not None:
                check(num_classes)

    def warmup_factor(self, warmup: int, by: str = 'iter') -> float:
        """``min(step / warmup, 1)`` for the 1-indexed iteration or epoch
        the runner is at (from MMEngine's message hub); 1 if ``warmup`` is
        0 or outside a runner."""
        if warmup <= 0:
            return 1.0
        step = MessageHub.get_current_instance().get_info(by)
        if step is None:
            return 1.0
        return min((step + 1) / warmup, 1.0)

    def distill(self,
                student_logits: Tensor,
                teacher_logits: Tensor,
                target: Optional[Tensor],
                weight: float = 1.0,
                prefix: str = '') -> Dict[str, Tensor]:
        """Every distillation loss times ``weight``, and its sub-terms.

        Loss keys contain ``loss`` (MMEngine back-propagates them); the
        sub-terms are detached and their keys do not.
        """
        out = {}
        # distillation maths in float32 even under autocast: log-softmax,
        # exp and the KL sums lose too much in fp16/bf16
        student_logits = student_logits.float()
        teacher_logits = teacher_logits.float()
        with torch.autocast(student_logits.device.type, enabled=False):
            for module in self.distill_losses:
                loss, parts = module(
                    student_logits, teacher_logits, target,
                    return_parts=True)
                out[prefix + module.loss_name] = weight * loss
                short = module.loss_name.replace('loss_', '')
                for name, value in parts.items():
                    out[f'{prefix}{short}_{name}'] = value.detach()
        if self.check_finite:
            self._check_finite(out, student_logits, teacher_logits, target)
        return out

    def _check_finite(self, out: Dict[str, Tensor], student_logits: Tensor,
                      teacher_logits: Tensor,
                      target: Optional[Tensor]) -> None:
        """Stop before a non-finite loss reaches the optimizer.

        One device sync per iteration; the diagnosis (which logits) runs
        only on failure.

        Raises:
            FloatingPointError: naming the iteration, the term and whether
                the teacher's or the student's logits are non-finite.
        """
        losses = [k for k in out if 'loss' in k]
        if not losses or bool(
                torch.isfinite(torch.stack([out[k] for k in losses])).all()):
            return
        bad = [k for k in out if not bool(torch.isfinite(out[k]).all())]
        valid = torch.ones_like(student_logits[:, 0], dtype=torch.bool)
        ignore = getattr(self, 'ignore_index', None)
        if ignore is not None and target is not None and (
                target.shape == valid.shape):
            valid = target != ignore  # garbage there is masked anyway
        where = []
        for who, logits in (('teacher', teacher_logits),
                            ('student', student_logits)):
            if not bool(torch.isfinite(logits).all(1)[valid].all()):
                where.append(who)
        cause = (f"{' and '.join(where)} logits contain NaN/inf at "
                 'non-ignored pixels' if where else
                 'the logits are finite, so the loss overflowed (check '
                 'temperature and logit scale)')
        if 'teacher' in where:
            cause += (' (a broken teacher checkpoint, or the teacher '
                      'overflowing in fp16 autocast: try bf16)')
        it = current_iter()
        at = 'outside a runner' if it is None else f'at iteration {it}'
        raise FloatingPointError(
            f"non-finite distillation loss {', '.join(bad)} {at}: {cause}. "
            'Stopped before the optimizer step, so the weights and the '
            'checkpoints already written are not affected.')

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.student.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.student._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}"')

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        raise NotImplementedError

    def predict(self, inputs: Tensor, data_samples: Optional[List] = None):
        """The student's predictions (what ``tools/test.py`` evaluates)."""
        return self.student.predict(inputs, data_samples)
