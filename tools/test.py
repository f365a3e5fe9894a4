"""Evaluate a checkpoint: MMSeg's ``tools/test.py`` CLI (``--tta``,
``--out``, ``--show-dir``, ...).

On a distillation config the student is evaluated; the teacher is never
built. The runner comes from the config (``runner_type``), so
``--launcher pytorch`` also works on CPUs (gloo).
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from gdkd_seg.compat.extras import explain_missing_extra


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a (distilled) model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs/metrics')
    parser.add_argument(
        '--out', help='dir to save the predictions (segmentation)')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir', help='dir to save images painted with predictions')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
    parser.add_argument(
        '--tta', action='store_true', help='test time augmentation')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    with explain_missing_extra(args.config):
        cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        hook = cfg.default_hooks.get('visualization')
        if hook is None:
            raise RuntimeError('--show/--show-dir need a VisualizationHook '
                               'in default_hooks')
        hook.draw = True
        if args.show:
            hook.show, hook.wait_time = True, args.wait_time
        if args.show_dir:
            cfg.visualizer.save_dir = args.show_dir
    if args.tta:
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    if args.out is not None:
        cfg.test_evaluator.output_dir = args.out
        cfg.test_evaluator.keep_results = True
    runner = (Runner.from_cfg(cfg)
              if 'runner_type' not in cfg else RUNNERS.build(cfg))
    runner.test()


if __name__ == '__main__':
    main()
