"""Train a model (MMSeg/MMPretrain config, distiller or plain): MMSeg's
``tools/train.py`` CLI plus ``--resume CKPT``, ``--auto-scale-lr`` and
``--eval-teacher``.

Everything else a run needs comes from the config (its shared base
``configs/_base_/default_runtime.py``: ``runner_type='GDKDRunner'`` and
the custom hooks), so MMSeg's own ``tools/train.py`` gives the same run.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from gdkd_seg.compat.extras import explain_missing_extra


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a (distilled) model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', const='auto', default=None,
        help='resume from the latest checkpoint in the work dir, or from '
        'the given checkpoint')
    parser.add_argument(
        '--amp', action='store_true',
        help='automatic mixed precision: fp16 with loss scaling on GPU, '
        'bf16 autocast on CPU (distillation losses stay in float32)')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the LR by (world size x batch) / the batch the config '
        'was tuned for (auto_scale_lr.base_batch_size, or NxbM in its name)')
    parser.add_argument(
        '--eval-teacher', action='store_true',
        help='evaluate the teacher on the val set before training (logged, '
        'cached in the work dir): adds TeacherEvalHook to custom_hooks')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. model.teacher_ckpt=x.pth')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
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
    # as MMSeg; GDKDRunner turns it into bf16 autocast without a GPU
    if args.amp and cfg.optim_wrapper.get('type') != 'AmpOptimWrapper':
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:  # base batch: GDKDRunner reads NxbM if unset
        cfg.auto_scale_lr = dict(cfg.get('auto_scale_lr') or {}, enable=True)
    if args.eval_teacher:
        hooks = list(cfg.get('custom_hooks', None) or [])
        if 'TeacherEvalHook' not in {h['type'] for h in hooks}:
            cfg.custom_hooks = hooks + [dict(type='TeacherEvalHook')]
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    runner = (Runner.from_cfg(cfg)
              if 'runner_type' not in cfg else RUNNERS.build(cfg))
    runner.train()


if __name__ == '__main__':
    main()
