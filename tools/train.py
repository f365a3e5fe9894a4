"""Train a model (MMSeg/MMPretrain config, distiller or plain): MMSeg's
``tools/train.py`` CLI, with ``gdkd_seg`` imported first.

On top of MMSeg's: exact ``--resume`` (random states in checkpoints),
CPU fallbacks for ``--amp`` (bf16 autocast) and ``--launcher pytorch``
(gloo), a warning when the global batch differs from the one the config
was tuned for, start-up checks of the data (and with ``--eval-teacher``
of the teacher), and checkpoints loaded with torch's safe unpickler.
"""
import argparse
import os
import os.path as osp

import gdkd_seg  # noqa: F401  (stack fixes + registrations)
import torch
from mmengine.config import Config, DictAction
from mmengine.dist import get_world_size
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from gdkd_seg.engine.hooks.data_check_hook import explain_empty_dataset
from gdkd_seg.utils.batch_check import check_batch_size, tuned_batch_size
from gdkd_seg.utils.dist_env import setup_cpu_distributed
from gdkd_seg.utils.safe_load import allow_globals, explain_unsafe_load


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a (distilled) model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        default=None,
        help='resume from the latest checkpoint in the work dir, or from '
        'the given checkpoint')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision: fp16 with loss scaling on GPU, '
        'bf16 autocast on CPU (distillation losses stay in float32)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the LR by (world size x batch) / the batch the config '
        'was tuned for (auto_scale_lr.base_batch_size, or NxbM in its name)')
    parser.add_argument(
        '--eval-teacher',
        action='store_true',
        help='evaluate the teacher on the val set before training (logged, '
        'cached in the work dir)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. model.teacher_ckpt=x.pth')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def setup_amp(cfg: Config, notes: list) -> None:
    """fp16 + dynamic loss scaling on GPU (MMEngine's AmpOptimWrapper,
    which refuses to run without one), bf16 autocast on CPU."""
    wrapper = cfg.optim_wrapper
    if torch.cuda.is_available():
        if wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
            notes.append('AMP is already enabled in the config')
        else:
            wrapper.type = 'AmpOptimWrapper'
            wrapper.loss_scale = 'dynamic'
        return
    wrapper.pop('loss_scale', None)  # bf16 needs no loss scaling
    wrapper.update(type='AutocastOptimWrapper', dtype='bfloat16',
                   device_type='cpu')
    notes.append('--amp without a GPU: bf16 autocast on CPU')


def add_hooks(cfg: Config, eval_teacher: bool) -> None:
    """Hooks every run gets (unless the config has them already)."""
    hooks = list(cfg.get('custom_hooks', None) or [])
    have = {h['type'] for h in hooks}
    wanted = ['SafeLoadHook', 'RNGStateHook', 'DataCheckHook',
              'GlooDrainHook']
    if eval_teacher:
        wanted.append('TeacherEvalHook')
    hooks += [dict(type=t) for t in wanted if t not in have]
    cfg.custom_hooks = hooks


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    notes, warnings = [], []
    trusted = allow_globals(cfg.get('safe_globals', None) or [])
    if trusted:
        warnings.append(f'safe loading allows the config\'s {trusted}')
    if os.environ.get('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'):
        warnings.append('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD is set: every '
                        'checkpoint is unpickled unsafely')
    note = setup_cpu_distributed(cfg)
    if note:
        notes.append(note)
    if args.amp or cfg.optim_wrapper.get('type') == 'AmpOptimWrapper':
        setup_amp(cfg, notes)
    if args.auto_scale_lr:
        tuned = tuned_batch_size(cfg)
        if tuned is None:
            raise KeyError('--auto-scale-lr needs auto_scale_lr=dict('
                           'base_batch_size=...) in the config, or NxbM in '
                           'its (base) file name')
        cfg.auto_scale_lr = dict(enable=True, base_batch_size=tuned)
    add_hooks(cfg, args.eval_teacher)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    what = 'a checkpoint (teacher, load_from or resume)'
    with explain_unsafe_load(what), explain_empty_dataset(cfg):
        runner = (Runner.from_cfg(cfg)
                  if 'runner_type' not in cfg else RUNNERS.build(cfg))
        batch = check_batch_size(cfg, get_world_size())
        for msg in notes:
            runner.logger.info(msg)
        for msg in warnings + ([batch] if batch else []):
            runner.logger.warning(msg)
        runner.train()


if __name__ == '__main__':
    main()
