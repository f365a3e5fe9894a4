"""Distil a frozen MMSeg segmentor into an MMSeg segmentor."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmseg.models.decode_heads.cascade_decode_head import \
    BaseCascadeDecodeHead
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import add_prefix
from torch import Tensor

from .base import BaseDistiller, CfgType, current_iter, load_model_cfg
from .seg_outputs import (aux_heads, aux_prefixes, check_segmentor,
                          decode_heads, dense_stages, final_head, is_cascade,
                          is_mask_head, is_point_head, main_output,
                          mask_class_log_probs, match_channels)

Weights = Union[float, Sequence[float]]
# where a distilled map comes from: the prediction, an earlier dense
# cascade stage (by its position among the dense stages), an aux head
Tap = Union[str, Tuple[str, int]]
FINAL = 'final'


def downsample_labels(labels: Tensor, size: Tuple[int, int]) -> Tensor:
    """``(N, H, W)`` labels at the logits' size ``(h, w)`` by legacy
    nearest sampling, as seg-gdkd's ``F.interpolate(mode='nearest')``:
    output pixel ``(i, j)`` reads input ``(i * H // h, j * W // w)``, for
    an integer factor the top-left pixel of each block (a strided view,
    no copy). The distiller and the analysis tools share it."""
    (H, W), (h, w) = labels.shape[1:], tuple(size)
    if (H, W) == (h, w):
        return labels
    if H % h == 0 and W % w == 0:
        return labels[:, ::H // h, ::W // w]  # (N, h, w)
    return F.interpolate(labels[:, None].float(), (h, w),
                         mode='nearest')[:, 0].to(labels.dtype)


def _per_head(weight: Weights, count: int, name: str,
              needs: str) -> List[float]:
    """One weight per head: a number for every head, or a list."""
    if isinstance(weight, (int, float)):
        if weight < 0:
            raise ValueError(f'{name} must be >= 0, got {weight}')
        if weight > 0 and count == 0:
            raise ValueError(f'{name} > 0 needs {needs}')
        return [float(weight)] * count
    weights = [float(w) for w in weight]
    if len(weights) != count:
        raise ValueError(f'{name} gives {len(weights)} weights for the '
                         f"student's {count} (one per head)")
    if any(w < 0 for w in weights):
        raise ValueError(f'{name} must be >= 0, got {weights}')
    return weights


def _inner_loss(module):
    """The loss a wrapper (CTKDLoss) evaluates, or the loss itself."""
    return getattr(module, 'loss', module)


@MODELS.register_module()
class SegDistiller(BaseDistiller):
    """Student segmentor + distillation of its dense logits.

    Any ``EncoderDecoder`` or ``CascadeEncoderDecoder`` MMSeg builds can
    be the student or the teacher (see
    :mod:`gdkd_seg.models.distillers.seg_outputs` for what is read from
    each kind of head). The student's own losses are computed exactly as
    MMSeg computes them (same keys, same values, same random draws); the
    distillation losses act on the logits of the final dense stage at
    their native resolution (stride 8 for dilated ResNets) with the
    labels nearest-downsampled to it. Teacher logits of another size are
    bilinearly resized to the student's.

    Args:
        student: an MMSeg segmentor config.
        teacher: an MMSeg segmentor config, config file or ``mmseg::``
            path.
        teacher_ckpt: the teacher's weights (path or URL).
        distill_losses: registered loss configs applied to the logits.
        aux_distill_weight: also distil the auxiliary heads, head ``i``
            of the student from head ``i`` of the teacher: a number for
            every auxiliary head (the official GDKD segmentation code
            uses 0.4 for its one head), or a list with one weight per
            head (0 skips one); 0 disables it.
        stage_distill_weight: also distil the earlier dense stages of a
            cascade (OCRNet's soft-region FCN head), stage ``j`` from the
            teacher's stage ``j``: a number for every earlier stage, or
            one weight per stage; both must be cascades with as many dense
            stages. 0 (default) distils the final stage only.
        warmup_iters: ramp the distillation weight as
            ``min(iter / warmup_iters, 1)``; 0 disables it.
        data_preprocessor: the student's if its config has none.
        init_cfg: MMEngine's init config.
        pretrained: ``None`` (what MMSeg's ``init_model`` sets) keeps the
            student's; a string replaces the student's ``pretrained``.
        train_cfg: MMSeg's builders pass it to every segmentor
            (``build_segmentor``, ``init_model``): ``None`` keeps the
            student's own, a config replaces it.
        test_cfg: as ``train_cfg``: a config (``mode='slide'``, ...)
            replaces the student's, which is what inference runs.
    """

    def __init__(self,
                 student: CfgType,
                 teacher: CfgType,
                 teacher_ckpt: Optional[str] = None,
                 distill_losses: Union[dict, Sequence[dict]] = dict(
                     type='GDKDLoss'),
                 aux_distill_weight: Weights = 0.0,
                 stage_distill_weight: Weights = 0.0,
                 warmup_iters: int = 0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None) -> None:
        student = load_model_cfg(student)
        if student.get('decode_head') is None:
            raise ValueError(
                'student: SegDistiller distils the logits of the decode '
                "head, but the student config has no decode_head (got "
                f"{student.get('decode_head')!r})")
        if train_cfg is not None:
            student['train_cfg'] = train_cfg
        if test_cfg is not None:
            student['test_cfg'] = test_cfg
        super().__init__(student, teacher, teacher_ckpt, distill_losses,
                         MODELS, data_preprocessor, init_cfg, pretrained)
        for module in self.distill_losses:
            if getattr(module, 'needs_two_views', False):
                raise ValueError(
                    f'{type(module).__name__} is for classification only '
                    '(two augmented views; its batch level would be a '
                    'pixels x pixels Gram matrix): no segmentation '
                    'version is defined')
        check_segmentor(self.student, 'student')
        head = final_head(self.student)
        self._check_loss_settings(head.num_classes,
                                  binary=head.out_channels == 1)
        self.aux_weights = _per_head(
            aux_distill_weight, len(aux_heads(self.student)),
            'aux_distill_weight',
            'an auxiliary head in both student and teacher')
        self.stage_weights = _per_head(
            stage_distill_weight, len(dense_stages(self.student)) - 1,
            'stage_distill_weight',
            'a cascade student with two or more dense stages (OCRNet: '
            "its FCN stage; PointRend has one: its point head's output "
            'is not a dense map)')
        self.warmup_iters = warmup_iters

    def _check_loss_settings(self, num_classes: int, binary: bool) -> None:
        """Each loss's own check for ``num_classes`` (a top-k needs
        ``k < C``; a one-channel sigmoid head is ``C = 2`` as ``(0, z)``),
        and no logit standardization with two classes."""
        for module in self.distill_losses:
            loss = _inner_loss(module)
            if num_classes == 2 and getattr(loss, 'hparams', {}).get(
                    'logit_stand'):
                raise ValueError(
                    f'{type(loss).__name__}(logit_stand=True) with two '
                    'classes (a one-channel sigmoid head is read as the '
                    'logits (0, z)): the Z-score of two logits (a, b) is '
                    'sign(b - a) * (-1, 1) / sqrt(2) whatever |b - a|, so '
                    'only the sign of z = b - a would be distilled; set '
                    'logit_stand=False')
        try:
            self.check_losses(num_classes)
        except ValueError as err:
            if not binary:
                raise
            raise ValueError(
                f'{err} (a one-channel sigmoid head is distilled as the '
                'two classes (0, z): GDKD needs k=1, GDKD3 cannot be '
                'used)') from err

    def check_teacher(self, teacher) -> None:
        """The teacher's kind, its final head's classes (and its auxiliary
        heads' and earlier stages' where they are distilled) against the
        student's; a warning if the two normalise inputs differently."""
        check_segmentor(teacher, 'teacher')
        s_head, t_head = final_head(self.student), final_head(teacher)
        if s_head.num_classes != t_head.num_classes:
            raise ValueError(
                f'teacher predicts {t_head.num_classes} classes, student '
                f'{s_head.num_classes}: they must match')
        t_aux = aux_heads(teacher)
        for i, weight in enumerate(self.aux_weights):
            if weight > 0 and i >= len(t_aux):
                raise ValueError(
                    'aux_distill_weight > 0 needs an auxiliary head in '
                    f"both student and teacher: the student's auxiliary "
                    f'head {i} has none in the teacher ({len(t_aux)} '
                    'auxiliary heads; give one weight per student head, '
                    '0 for those not to distil)')
            if weight > 0:
                self._same_classes(aux_heads(self.student)[i], t_aux[i],
                                   f'auxiliary head {i}')
        if any(self.stage_weights):
            s_dense, t_dense = (dense_stages(self.student),
                                dense_stages(teacher))
            if not is_cascade(teacher) or len(t_dense) != len(s_dense):
                raise ValueError(
                    'stage_distill_weight > 0 pairs the cascade stages of '
                    f'student and teacher: the student has {len(s_dense)} '
                    f'dense stages, the teacher {len(t_dense)}')
            for j, (s, t) in enumerate(zip(s_dense, t_dense)):
                self._same_classes(decode_heads(self.student)[s],
                                   decode_heads(teacher)[t], f'stage {j}')
        s_std = getattr(self.data_preprocessor, 'std', None)
        t_std = getattr(teacher.data_preprocessor, 'std', None)
        if s_std is not None and t_std is not None and not torch.equal(
                s_std, t_std):
            print_log('teacher and student normalise inputs differently; '
                      "the teacher is fed the student's inputs",
                      logger='current', level=30)

    @staticmethod
    def _same_classes(s_head, t_head, what: str) -> None:
        if s_head.num_classes != t_head.num_classes:
            raise ValueError(
                f"the teacher's {what} predicts {t_head.num_classes} "
                f"classes, the student's {s_head.num_classes}")

    # What MMSeg's inference code reads from a segmentor is the student's
    # (SegTTAModel: out_channels, decode_head.threshold; init_model:
    # decode_head.num_classes when a checkpoint has no class names).
    @property
    def decode_head(self):
        """The student's final decode head (a cascade's last stage: the
        one whose classes and threshold make the prediction)."""
        return final_head(self.student)

    @property
    def out_channels(self) -> int:
        """The student's number of output channels."""
        return self.student.out_channels

    def _distilled(self) -> List[Tuple[Tap, str, float]]:
        """``(tap, log prefix, weight)`` of every distilled map: the
        final one, then earlier cascade stages and auxiliary heads with
        a positive weight (prefixes as MMSeg names their CE losses)."""
        out = [(FINAL, '', 1.0)]
        stages = dense_stages(self.student)
        for pos, weight in enumerate(self.stage_weights):
            if weight > 0:
                out.append((('stage', pos), f'decode_{stages[pos]}.',
                            weight))
        prefixes = aux_prefixes(self.student)
        for i, weight in enumerate(self.aux_weights):
            if weight > 0:
                out.append((('aux', i), f'{prefixes[i]}.', weight))
        return out

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        """Student losses (as MMSeg) + weighted distillation losses.

        Args:
            inputs: ``(N, 3, H, W)`` preprocessed images.
            data_samples: ``SegDataSample`` list with ``gt_sem_seg``.
        """
        student = self.student
        gt = torch.stack([s.gt_sem_seg.data[0] for s in data_samples])
        self._check_labels(gt)
        feats = student.extract_feat(inputs)
        losses, s_maps = self._student_losses(feats, data_samples)
        size = s_maps[FINAL].shape[2:]
        with torch.no_grad():
            t_maps = self._teacher_maps(inputs, data_samples, size)
        ramp = self.warmup_factor(self.warmup_iters, 'iter')
        for tap, prefix, weight in self._distilled():
            s, t = s_maps[tap], t_maps[tap]  # (N, C, h, w), (N, C', h', w')
            if t.shape[2:] != s.shape[2:]:
                t = F.interpolate(t, s.shape[2:], mode='bilinear',
                                  align_corners=student.align_corners)
            s, t = match_channels(s, t)  # one-channel z -> (0, z)
            labels = downsample_labels(gt, s.shape[2:])  # (N, h, w)
            losses.update(self.distill(s, t, labels, ramp * weight, prefix))
        return losses

    def _head_loss(self, head, feats: List[Tensor], data_samples: List,
                   prev: Optional[Tensor] = None
                   ) -> Tuple[Dict[str, Tensor], Optional[Tensor]]:
        """A student head's MMSeg losses and its dense map (``None`` for a
        point head), from one forward where MMSeg's ``loss`` is a forward
        plus ``loss_by_feat``."""
        cfg = self.student.train_cfg
        args = [feats] if prev is None else [feats, prev]
        if is_point_head(head):
            return head.loss(feats, prev, data_samples, cfg), None
        if is_mask_head(head):
            # what MMSeg's Mask(2)FormerHead.loss does, keeping the outputs
            gt_instances, metas = head._seg_data_to_instance_data(
                data_samples)
            cls_scores, mask_preds = head(feats, data_samples)
            loss = head.loss_by_feat(cls_scores, mask_preds, gt_instances,
                                     metas)
            return loss, mask_class_log_probs(
                cls_scores[-1], mask_preds[-1], mask_preds[-1].shape[2:])
        if type(head).loss not in (BaseDecodeHead.loss,
                                   BaseCascadeDecodeHead.loss):
            # a head with a loss of its own: that, and a forward for the map
            loss = head.loss(*args, data_samples, cfg)
            return loss, main_output(head, head.forward(*args))
        out = head.forward(*args)
        return head.loss_by_feat(out, data_samples), main_output(head, out)

    def _student_losses(self, feats: List[Tensor], data_samples: List
                        ) -> Tuple[Dict[str, Tensor], Dict[Tap, Tensor]]:
        """The student's losses, keyed and computed as MMSeg's
        ``loss`` (``decode.*`` or ``decode_<i>.*``, ``aux.*`` or
        ``aux_<i>.*``), and the dense maps to distil."""
        student, maps = self.student, {}
        heads = decode_heads(student)
        if not is_cascade(student):
            losses, maps[FINAL] = self._head_loss(heads[0], feats,
                                                  data_samples)
            losses = add_prefix(losses, 'decode')
        else:
            outs = {}
            loss, outs[0] = self._head_loss(heads[0], feats, data_samples)
            losses = add_prefix(loss, 'decode_0')
            # MMSeg's cascade runs stage 0 again to feed stage 1 (another
            # dropout draw), and each later stage again for the next: so
            # do we, so that the student's losses and random draws are
            # exactly those of an undistilled one
            prev = heads[0].forward(feats)
            for i in range(1, len(heads)):
                if i > 1:
                    prev = heads[i - 1].forward(feats, prev)
                loss, outs[i] = self._head_loss(heads[i], feats,
                                                data_samples, prev)
                losses.update(add_prefix(loss, f'decode_{i}'))
            dense = dense_stages(student)
            maps[FINAL] = outs[dense[-1]]
            for pos, idx in enumerate(dense[:-1]):
                maps[('stage', pos)] = outs[idx]
        for i, (head, prefix) in enumerate(
                zip(aux_heads(student), aux_prefixes(student))):
            loss, maps[('aux', i)] = self._head_loss(head, feats,
                                                     data_samples)
            losses.update(add_prefix(loss, prefix))
        return losses, maps

    def _teacher_maps(self, inputs: Tensor, data_samples: List,
                      size: Sequence[int]) -> Dict[Tap, Tensor]:
        """The teacher's dense maps that are distilled (eval mode, no
        gradient): its final dense stage, and the earlier stages and
        auxiliary heads with a positive weight. A mask-classification
        head's log-probabilities are computed at the student's ``size``
        (its mask logits resized, as MMSeg's ``predict`` resizes them)."""
        teacher = self.build_teacher()
        feats = teacher.extract_feat(inputs)
        heads, maps = decode_heads(teacher), {}
        if is_mask_head(heads[0]):
            # MMSeg's predict gives the head samples whose batch input
            # shape is the image's (mmdet's MaskFormer pads to it)
            samples = [
                SegDataSample(metainfo=dict(
                    s.metainfo, batch_input_shape=s.metainfo.get(
                        'img_shape', tuple(inputs.shape[2:]))))
                for s in data_samples
            ]
            cls_scores, mask_preds = heads[0](feats, samples)
            maps[FINAL] = mask_class_log_probs(cls_scores[-1],
                                               mask_preds[-1], size)
        else:
            outs, prev = [], None
            for i in dense_stages(teacher):
                head = heads[i]
                prev = head.forward(feats) if i == 0 else head.forward(
                    feats, prev)
                outs.append(main_output(head, prev))
            maps[FINAL] = outs[-1]
            for pos, weight in enumerate(self.stage_weights):
                if weight > 0:
                    maps[('stage', pos)] = outs[pos]
        t_aux = aux_heads(teacher)
        for i, weight in enumerate(self.aux_weights):
            if weight > 0:
                maps[('aux', i)] = main_output(t_aux[i],
                                               t_aux[i].forward(feats))
        return maps

    @property
    def ignore_index(self) -> int:
        """The label the student's final decode head ignores."""
        return final_head(self.student).ignore_index

    def _check_labels(self, gt: Tensor) -> None:
        """Reject labels outside ``[0, C)`` that are not ignored, before
        they reach the losses (on GPU, cross-entropy would hit a device
        assert instead of an error saying what is wrong)."""
        num_classes = final_head(self.student).num_classes
        bad = ((gt < 0) | (gt >= num_classes)) & (gt != self.ignore_index)
        if not bool(bad.any()):
            return
        values = torch.unique(gt[bad]).tolist()
        it = current_iter()
        at = '' if it is None else f' at iteration {it}'
        raise ValueError(
            f'labels {values[:8]}{at} are outside [0, {num_classes}) and '
            f'not the ignore index {self.ignore_index}: Cityscapes needs '
            'the *_labelTrainIds.png maps (mmseg\'s '
            'tools/dataset_converters/cityscapes.py), not labelIds; other '
            'datasets may need reduce_zero_label or a matching '
            'num_classes')
