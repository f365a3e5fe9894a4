"""CIRKD checkpoints as MMSeg state dicts.

winycg/CIRKD (and the codebases built on it: DIST, MasKD, Af-DCD,
seg-gdkd) save a plain ``state_dict`` of their own modules. This maps its
keys onto the modules of ``configs/cirkd_protocol`` (MMSeg's
``ResNetV1c`` / :class:`CIRKDResNetV1c` / :class:`CIRKDMobileNetV2`
backbones, :class:`CIRKDASPPHead`, :class:`CIRKDPSPHead`,
:class:`CIRKDFCNHead`), checks every tensor's shape against a model built
from an MMSeg config, and writes a plain-data checkpoint.

Two kinds of input:

- a segmentation model (``pretrained.*``, ``head.*``, ``auxlayer.*``):
  DeepLabV3 with a ResNet or MobileNetV2, PSPNet with a ResNet -> the
  whole segmentor (``backbone.*``, ``decode_head.*``,
  ``auxiliary_head.*``), e.g. the teacher;
- an ImageNet backbone (``conv1.*`` ... ``layer4.*``, ``fc.*``; or
  ``features.*``, ``classifier.*``) -> the backbone's own keys, for the
  student config's ``pretrained`` (its classifier is reported unused).
"""
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope
from mmseg.registry import MODELS
from torch import Tensor

from gdkd_seg.checkpoint.atomic_io import atomic_torch_save
from gdkd_seg.checkpoint.plain_data import to_plain
from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint
from gdkd_seg.models.distillers.base import load_model_cfg

Rule = Tuple[str, Union[str, Callable]]
# blocks per layer of MobileNetV2 (features 1..17 -> layer1..layer7)
_MBV2_BLOCKS = (1, 2, 3, 4, 3, 3, 1)
_MBV2_LAYER = [(layer + 1, block)
               for layer, n in enumerate(_MBV2_BLOCKS) for block in range(n)]

# CIRKD's deep stem (conv1/bn1 ... conv3/bn3) -> ResNetV1c's stem.{0..7};
# the residual layers have the same names in both
_RESNET = [(r'conv1\.', 'stem.0.'), (r'bn1\.', 'stem.1.'),
           (r'conv2\.', 'stem.3.'), (r'bn2\.', 'stem.4.'),
           (r'conv3\.', 'stem.6.'), (r'bn3\.', 'stem.7.'),
           (r'(layer[1-4]\..*)', r'\1')]


def _mbv2_block(match: re.Match) -> str:
    """``features.{k}.conv.{j}`` -> ``layer{L}.{B}.conv.{m}.{conv|bn}``:
    CIRKD's Sequential holds (conv, bn, act) triples without the last
    act, so entry ``j`` is module ``j // 3``; ``j % 3`` is conv (0) or
    bn (1)."""
    k, j = int(match.group(1)), int(match.group(2))
    layer, block = _MBV2_LAYER[k - 1]
    kind = ('conv', 'bn')[j % 3]
    return f'layer{layer}.{block}.conv.{j // 3}.{kind}.'


_MBV2 = [(r'features\.0\.0\.', 'conv1.conv.'),
         (r'features\.0\.1\.', 'conv1.bn.'),
         (r'features\.(1[0-7]|[1-9])\.conv\.([0-7])\.', _mbv2_block)]

# ConvModule names: CIRKD's (conv, bn, relu) Sequential entries 0 / 1
_ASPP = [(r'head\.aspp\.b0\.0\.', 'aspp_modules.0.conv.'),
         (r'head\.aspp\.b0\.1\.', 'aspp_modules.0.bn.'),
         (r'head\.aspp\.b([1-3])\.block\.0\.', r'aspp_modules.\1.conv.'),
         (r'head\.aspp\.b([1-3])\.block\.1\.', r'aspp_modules.\1.bn.'),
         (r'head\.aspp\.b4\.gap\.1\.', 'image_pool.1.conv.'),
         (r'head\.aspp\.b4\.gap\.2\.', 'image_pool.1.bn.'),
         (r'head\.aspp\.project\.0\.', 'project.conv.'),
         (r'head\.aspp\.project\.1\.', 'project.bn.'),
         (r'head\.block\.0\.', 'bottleneck.conv.'),
         (r'head\.block\.1\.', 'bottleneck.bn.'),
         (r'head\.block\.4\.', 'conv_seg.')]
_PSP = [(r'head\.psp\.conv([1-4])\.([01])\.',
         lambda m: f'psp_modules.{int(m.group(1)) - 1}.1.'
         f'{("conv", "bn")[int(m.group(2))]}.'),
        (r'head\.block\.0\.', 'bottleneck.conv.'),
        (r'head\.block\.1\.', 'bottleneck.bn.'),
        (r'head\.classifier\.', 'conv_seg.')]
_AUX = [(r'auxlayer\.block\.0\.', 'convs.0.conv.'),
        (r'auxlayer\.block\.1\.', 'convs.0.bn.'),
        (r'auxlayer\.block\.4\.', 'conv_seg.')]


def _prefixed(rules: Sequence[Rule], src: str, dst: str) -> List[Rule]:
    """The rules with ``src`` before each pattern and ``dst`` before each
    result."""
    out = []
    for pattern, repl in rules:
        if callable(repl):
            out.append((src + pattern, lambda m, f=repl: dst + f(m)))
        else:
            out.append((src + pattern, dst + repl))
    return out


# layout -> rules; the first matching rule renames a key (keys match
# from their start; the rest of the key is kept)
LAYOUTS: Dict[str, List[Rule]] = {
    'resnet': list(_RESNET),
    'mobilenetv2': list(_MBV2),
    'deeplabv3_resnet': (_prefixed(_RESNET, r'pretrained\.', 'backbone.') +
                         _prefixed(_ASPP, '', 'decode_head.') +
                         _prefixed(_AUX, '', 'auxiliary_head.')),
    'pspnet_resnet': (_prefixed(_RESNET, r'pretrained\.', 'backbone.') +
                      _prefixed(_PSP, '', 'decode_head.') +
                      _prefixed(_AUX, '', 'auxiliary_head.')),
    'deeplabv3_mobilenetv2': (
        _prefixed(_MBV2, r'pretrained\.net\.', 'backbone.') +
        _prefixed(_ASPP, '', 'decode_head.')),
}
BACKBONE_LAYOUTS = ('resnet', 'mobilenetv2')


def detect_layout(state: Dict[str, Tensor]) -> str:
    """Which kind of CIRKD checkpoint ``state`` is (a key of
    :data:`LAYOUTS`).

    Raises:
        ValueError: none of CIRKD's layouts.
    """
    keys = set(state)
    if 'pretrained.net.features.0.0.weight' in keys:
        return 'deeplabv3_mobilenetv2'
    if 'pretrained.conv1.weight' in keys:
        if 'head.psp.conv1.0.weight' in keys:
            return 'pspnet_resnet'
        if 'head.aspp.b0.0.weight' in keys:
            return 'deeplabv3_resnet'
    if 'features.0.0.weight' in keys:
        return 'mobilenetv2'
    if {'conv1.weight', 'conv3.weight', 'layer1.0.conv1.weight'} <= keys:
        return 'resnet'
    raise ValueError(
        'not a CIRKD checkpoint: expected DeepLabV3 / PSPNet keys '
        '(pretrained.*, head.aspp.* or head.psp.*) or an ImageNet deep-'
        'stem ResNet (conv1..conv3, layer1..4) / MobileNetV2 (features.*); '
        f'found e.g. {sorted(keys)[:4]}')


def resnet_depth(state: Dict[str, Tensor], prefix: str = '') -> int:
    """The depth (18, 34, 50, 101, 152) of the ResNet in ``state``."""
    blocks = []
    for layer in range(1, 5):
        found = {int(m.group(1)) for k in state
                 for m in [re.match(rf'{re.escape(prefix)}layer{layer}\.'
                                    r'(\d+)\.', k)] if m}
        blocks.append(max(found) + 1 if found else 0)
    bottleneck = f'{prefix}layer1.0.conv3.weight' in state
    depths = {(False, (2, 2, 2, 2)): 18, (False, (3, 4, 6, 3)): 34,
              (True, (3, 4, 6, 3)): 50, (True, (3, 4, 23, 3)): 101,
              (True, (3, 8, 36, 3)): 152}
    try:
        return depths[(bottleneck, tuple(blocks))]
    except KeyError:
        raise ValueError(f'a ResNet with {blocks} blocks per layer '
                         f'({"Bottleneck" if bottleneck else "BasicBlock"})'
                         ' is none of the standard depths') from None


def map_keys(state: Dict[str, Tensor],
             layout: str) -> Tuple[Dict[str, Tensor], List[str]]:
    """Rename CIRKD's keys to MMSeg's.

    Returns:
        ``(mapped, unused)``: the renamed tensors and the source keys no
        rule matches (e.g. an ImageNet classifier).
    """
    rules = [(re.compile(p), r) for p, r in LAYOUTS[layout]]
    mapped, unused = {}, []
    for key, value in state.items():
        for pattern, repl in rules:
            match = pattern.match(key)
            if match:
                new = match.expand(repl) if isinstance(repl, str) else repl(
                    match)
                mapped[new + key[match.end():]] = value
                break
        else:
            unused.append(key)
    return mapped, unused


@dataclass
class ConversionReport:
    """What :func:`convert_state_dict` did."""
    layout: str
    converted: int = 0
    unused: List[str] = field(default_factory=list)  # source keys
    unmatched: List[str] = field(default_factory=list)  # target keys
    filled: List[str] = field(default_factory=list)  # BN counters set to 0


def convert_state_dict(
        state: Dict[str, Tensor], target: Dict[str, Tensor],
        layout: Optional[str] = None
) -> Tuple[Dict[str, Tensor], ConversionReport]:
    """Map a CIRKD state dict onto ``target`` (an MMSeg model's, or its
    backbone's, ``state_dict()``).

    A ``module.`` prefix (DDP) is dropped. BN ``num_batches_tracked``
    counters the source lacks are set to 0 (they do not enter the
    maths) and reported.

    Returns:
        The state dict in ``target``'s order and the report.

    Raises:
        ValueError: a target key that nothing maps to (``unmatched``), or
            a tensor whose shape differs from the target's; both list the
            keys.
    """
    state = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in state.items()}
    layout = layout or detect_layout(state)
    mapped, unused = map_keys(state, layout)
    report = ConversionReport(layout, unused=unused)
    shapes = [f'{k}: checkpoint {tuple(mapped[k].shape)}, model '
              f'{tuple(v.shape)}' for k, v in target.items()
              if k in mapped and mapped[k].shape != v.shape]
    if shapes:
        raise ValueError(
            f'{len(shapes)} tensors of the CIRKD checkpoint ({layout}) have '
            'another shape than the target model, e.g. ' +
            '; '.join(shapes[:3]) + '. CIRKD checkpoints from commit '
            '351400e on have 512-wide DeepLabV3 heads (128 for ResNet-18, '
            '256 for ResNet-101 before): set the target config\'s '
            'decode_head.channels to the checkpoint\'s width')
    for key in target:
        if key not in mapped and key.endswith('.num_batches_tracked'):
            mapped[key] = torch.zeros_like(target[key])
            report.filled.append(key)
    report.unmatched = [k for k in target if k not in mapped]
    extra = [k for k in mapped if k not in target]
    if report.unmatched or extra:
        raise ValueError(
            f'the CIRKD checkpoint ({layout}) does not cover the target '
            f'model: {len(report.unmatched)} model keys have no tensor, '
            f'e.g. {report.unmatched[:3]}; {len(extra)} converted keys are '
            f'not in the model, e.g. {extra[:3]} (is the config the '
            'architecture of the checkpoint?)')
    report.converted = len(target)
    return {k: mapped[k] for k in target}, report


def build_target(model_cfg: Union[str, dict], backbone: bool,
                 cfg_options: Optional[dict] = None) -> Dict[str, Tensor]:
    """The ``state_dict()`` of the MMSeg model (or of its backbone) that
    ``model_cfg`` describes: a config file with a ``model`` field, or the
    model dict. ``cfg_options`` are merged into the model dict first.

    For a distillation config (``SegDistiller``), a segmentation
    checkpoint is its teacher and an ImageNet backbone its student's
    backbone.
    """
    if isinstance(model_cfg, str):
        model_cfg = Config.fromfile(model_cfg).model
    cfg = Config(dict(model=ConfigDict(model_cfg)))
    if cfg_options:
        cfg.merge_from_dict({f'model.{k}': v for k, v in cfg_options.items()})
    model_cfg = cfg.model
    if 'student' in model_cfg:
        model_cfg = (model_cfg.student if backbone else
                     load_model_cfg(model_cfg.teacher))
    if backbone:
        model_cfg = model_cfg.backbone
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(model_cfg)
    return model.state_dict()


def load_cirkd_state(src: str) -> Dict[str, Tensor]:
    """The state dict of the CIRKD checkpoint ``src`` (path or URL),
    unpickled safely: a plain state dict, or one under ``state_dict`` /
    ``model``; a DDP ``module.`` prefix is dropped."""
    ckpt = load_mmengine_checkpoint(src, logger='silent',
                                    what=f'CIRKD checkpoint {src}')
    state = ckpt.get('state_dict', ckpt.get('model', ckpt))
    return {k[len('module.'):] if k.startswith('module.') else k: v
            for k, v in state.items()}


def convert_cirkd(
        src: str,
        dst: str,
        model_cfg: Union[str, dict, Callable[[str, Optional[int]], str]],
        cfg_options: Optional[dict] = None) -> ConversionReport:
    """Convert the CIRKD checkpoint ``src`` and save it to ``dst``.

    A segmentation checkpoint becomes the whole model of ``model_cfg``;
    an ImageNet backbone becomes ``model_cfg``'s backbone (to be the
    student's ``pretrained``). ``dst`` holds plain data:
    ``{'state_dict', 'meta'}``.

    Args:
        src: CIRKD checkpoint (path or URL), loaded with torch's safe
            unpickler (:func:`load_cirkd_state`).
        dst: where to write the MMSeg checkpoint.
        model_cfg: the target MMSeg model: a config file with a ``model``
            field (a distillation config: its teacher, or its student's
            backbone), the model dict, or a function of the detected
            layout and ResNet depth (``None`` for MobileNetV2) that
            returns one.
        cfg_options: merged into the model dict (e.g.
            ``{'decode_head.channels': 512}``).

    Raises:
        ValueError: see :func:`convert_state_dict` and
            :func:`detect_layout`.
    """
    state = load_cirkd_state(src)
    layout = detect_layout(state)
    if callable(model_cfg):
        depth = None
        if 'resnet' in layout:
            depth = resnet_depth(state, '' if layout in BACKBONE_LAYOUTS
                                 else 'pretrained.')
        model_cfg = model_cfg(layout, depth)
    target = build_target(model_cfg, layout in BACKBONE_LAYOUTS,
                          cfg_options)
    converted, report = convert_state_dict(state, target, layout)
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    meta = dict(converted_from=osp.basename(src), cirkd_layout=layout)
    # plain data, written whole or not at all (a kill leaves no half file)
    atomic_torch_save(to_plain({'state_dict': converted, 'meta': meta})[0],
                      dst)
    return report
