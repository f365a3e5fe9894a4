"""The offline demo, end to end, with one command: what distillation buys,
measured on held-out data with paired seeds.

Builds the demo benchmark (real handwritten digits on real photos, shipped
with scikit-learn / scikit-image; Cityscapes layout; train / val /
held-out test), takes the shipped teacher (sha256-checked; or trains one),
trains the undistilled, KD and GDKD students (DKD, GDKD+LS with
--methods) for every seed (a seed's students start from the same weights
and see the same batches), evaluates each on the test split (--split val
for design choices) and reports the pre-registered analysis: GDKD -
baseline and GDKD - KD with Holm-adjusted intervals, the rest exploratory
(results.json / results.md, plots).

    python tools/demo.py            # the default run (see docs, "Demo")
    python tools/demo.py --quick    # tiny data, a few iterations (CI)

The run's defaults are the demo's (``gdkd_seg.demo.pipeline.DEFAULTS``).
"""
import argparse
import os.path as osp

from mmengine.config import DictAction

from gdkd_seg.demo.pipeline import (DEFAULTS, STUDENTS, DemoError, Settings,
                                    run_demo)

FULL = DEFAULTS['full']


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Offline distillation demo: paired students, held-out '
        'test mIoU, intervals, tables and plots')
    parser.add_argument('--quick', action='store_true',
                        help='tiny data, 2 seeds, a few iterations (CI)')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help=f"training seeds (default {FULL['seeds']})")
    parser.add_argument('--methods', nargs='+', choices=list(STUDENTS),
                        help='students to train (default '
                        f"{' '.join(FULL['methods'])}; --quick: all)")
    parser.add_argument('--iters', type=int,
                        help=f"student iterations (default {FULL['iters']})")
    parser.add_argument('--train-teacher', action='store_true',
                        help='train the teacher instead of using the '
                        'shipped one')
    parser.add_argument('--teacher-iters', type=int,
                        help='teacher iterations with --train-teacher '
                        f"(default {FULL['teacher_iters']})")
    parser.add_argument('--export-teacher', action='store_true',
                        help='train the teacher and write it and its record '
                        '(sha256, data, test mIoU) into '
                        '<work-dir>/teacher_export, to ship by copying')
    parser.add_argument('--data-seed', type=int, default=0,
                        help='seed of the generated benchmark')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='where data, runs, results and plots go')
    parser.add_argument('--jobs', type=int, default=2,
                        help='trainings run side by side (processes)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads per training')
    parser.add_argument('--force', action='store_true',
                        help='redo runs that already finished')
    parser.add_argument('--split', choices=['test', 'val'], default='test',
                        help='split that scores the runs; val for design '
                        'choices (test is then never evaluated)')
    parser.add_argument('--no-plots', action='store_true',
                        help='skip the plots')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help="override settings of the students' configs as in "
        'tools/train.py: key=value pairs, e.g. '
        'optim_wrapper.optimizer.lr=0.01')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    settings = Settings.defaults(
        quick=args.quick, data_seed=args.data_seed,
        work_dir=osp.abspath(args.work_dir), seeds=args.seeds,
        methods=args.methods, iters=args.iters,
        teacher_iters=args.teacher_iters, train_teacher=args.train_teacher,
        jobs=max(1, args.jobs), threads=max(1, args.threads),
        force=args.force, cfg_options=args.cfg_options or {},
        plots=not args.no_plots, split=args.split)
    try:
        run_demo(settings, export=args.export_teacher)
    except DemoError as error:
        raise SystemExit(f'tools/demo.py: error: {error}')


if __name__ == '__main__':
    main()
