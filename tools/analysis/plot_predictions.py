"""Plot image | ground truth | predictions of several segmentors, side by
side, for a few images of their evaluation data (dataset palette).

    python tools/analysis/plot_predictions.py --out predictions.png \
        --model teacher configs/demo/plainnet32_teacher_digits.py \
            work_dirs/demo/teacher/iter_600.pth \
        --model baseline configs/demo/plainnet16_baseline_digits.py \
            work_dirs/demo/baseline/seed0/iter_300.pth
"""
import argparse

from mmengine.config import DictAction

from gdkd_seg.analysis.prediction_grid import predictions_from_configs


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', nargs=3, action='append', required=True,
                        metavar=('TITLE', 'CONFIG', 'CHECKPOINT'),
                        help='a column (repeat; a distillation config '
                        'predicts with its student)')
    parser.add_argument('--out', default='predictions.png')
    parser.add_argument('--num-images', type=int, default=4)
    parser.add_argument('--indices', type=int, nargs='+',
                        help='dataset indices to show')
    parser.add_argument('--split', default='test',
                        choices=['train', 'val', 'test'])
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='overrides for every config, e.g. data root')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    out = predictions_from_configs(
        [tuple(m) for m in args.model], args.out, args.num_images,
        args.indices, args.split, args.cfg_options)
    print(out)


if __name__ == '__main__':
    main()
