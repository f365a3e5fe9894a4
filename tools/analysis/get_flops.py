"""FLOPs and parameters of a segmentor: MMSeg's
``tools/analysis_tools/get_flops.py`` interface, for plain and
distillation configs (the student, and the teacher next to it).

    python tools/analysis/get_flops.py CONFIG [--shape 1024 2048]

MMSeg 1.2.2's script cannot be used here: it reads
``cfg.model.decode_head`` (a distiller's config has a ``student``), it
imports ``mmseg.models`` before ``gdkd_seg`` (which fails with
mmcv-lite), and it passes both ``input_shape`` and ``inputs`` to
MMEngine 0.10's ``get_model_complexity_info``, which refuses that. As
MMSeg's, this measures the inference path (``tensor`` mode, auxiliary
heads dropped) on one random image; no weights are loaded.
"""
import argparse

import gdkd_seg  # noqa: F401  (mmcv-lite stand-in, registrations)
import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.analysis.print_helper import _format_size
from mmengine.config import Config, DictAction
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from gdkd_seg.models.distillers.base import load_model_cfg


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Get the FLOPs of a segmentor (and of its teacher)')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--shape', type=int, nargs='+', default=[2048, 1024],
        help='input image size (H W, or one size for both)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings')
    return parser.parse_args()


def complexity(model_cfg, shape) -> dict:
    """FLOPs and parameters of the inference path of a segmentor built
    from ``model_cfg`` (randomly initialised), on one image of ``shape``
    ``(3, H, W)``."""
    model = revert_sync_batchnorm(MODELS.build(model_cfg)).eval()
    if getattr(model, 'auxiliary_head', None) is not None:
        model.auxiliary_head = None  # not used at inference (as MMSeg)
    meta = dict(ori_shape=shape[1:], pad_shape=shape[1:])
    data = model.data_preprocessor(
        dict(inputs=[torch.rand(shape)],
             data_samples=[SegDataSample(metainfo=meta)]))
    with torch.no_grad():
        out = get_model_complexity_info(
            model, inputs=data['inputs'], show_table=False,
            show_arch=False)
    return dict(flops=out['flops'], params=out['params'])


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    if len(args.shape) not in (1, 2):
        raise ValueError('--shape takes one or two sizes')
    shape = (3, args.shape[0], args.shape[-1])
    if cfg.model.get('type') == 'SegDistiller':
        rows = [('student', load_model_cfg(cfg.model.student)),
                ('teacher', load_model_cfg(cfg.model.teacher))]
    else:
        rows = [('model', cfg.model)]
    results = {name: complexity(model_cfg, shape)
               for name, model_cfg in rows}
    line = '=' * 30
    print(f'{line}\nCompute type: direct: randomly generate a picture\n'
          f'Input shape: {shape[1:]}')
    first = next(iter(results.values()))
    print(f"Flops: {_format_size(first['flops'])}\n"
          f"Params: {_format_size(first['params'])}")
    if 'teacher' in results:
        teacher = results['teacher']
        print(f"Teacher Flops: {_format_size(teacher['flops'])} "
              f"({teacher['flops'] / first['flops']:.2f}x the student)\n"
              f"Teacher Params: {_format_size(teacher['params'])} "
              f"({teacher['params'] / first['params']:.2f}x the student)")
    print(f'{line}\nFlops/Params of the student (the model inference '
          'uses); please check that all ops are counted before citing.')


if __name__ == '__main__':
    main()
