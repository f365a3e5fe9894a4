"""Plot a trained teacher's average predictive distribution per class,
with its top-k highlighted and with the top-1 removed and renormalised
(GDKD paper, Figures 4 and 5). Segmentation (pixels) or classification.

    python tools/analysis/plot_teacher_distribution.py \
        configs/demo/plainnet32_teacher_digits.py \
        work_dirs/demo/teacher/iter_600.pth --out teacher_dist.png \
        --classes 0 4 9 --k 3
"""
import argparse

from mmengine.config import DictAction

from gdkd_seg.analysis.teacher_distribution import \
    teacher_distribution_from_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help="the teacher's config")
    parser.add_argument('checkpoint', help="the teacher's checkpoint")
    parser.add_argument('--out', default='teacher_distribution.png')
    parser.add_argument('--classes', type=int, nargs='+',
                        help='class indices to plot (default: the 4 most '
                        'frequent)')
    parser.add_argument('--k', type=int, default=3, help='top-k to mark')
    parser.add_argument('--temperature', type=float, default=1.0)
    parser.add_argument('--max-samples', type=int, default=200,
                        help='images of the split to run the teacher on')
    parser.add_argument('--split', default='test',
                        choices=['train', 'val', 'test'])
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, e.g. the data root')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    out = teacher_distribution_from_config(
        args.config, args.checkpoint, args.out, args.classes, args.k,
        args.temperature, args.max_samples, args.split, args.cfg_options)
    print(out)


if __name__ == '__main__':
    main()
