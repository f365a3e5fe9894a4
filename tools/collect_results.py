"""Tabulate the metrics of finished runs (markdown and CSV).

Works on any MMEngine work directories written by tools/train.py (and
tools/test.py --work-dir pointed at the same directory): segmentation
(mIoU) and classification (top-1). Directories named ``seed<N>`` (or
``<name>_seed<N>``) are grouped: mean ± sample std over seeds.

    python tools/collect_results.py work_dirs/demo/*/ --baseline baseline
    python tools/collect_results.py work_dirs/gdkd_* --csv results.csv
"""
import argparse
import sys

from gdkd_seg.analysis.results import (find_runs, read_run, summarize,
                                       to_csv, to_markdown)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dirs', nargs='+',
                        help='work directories, or folders holding them')
    parser.add_argument('--baseline',
                        help='group name to report gains against')
    parser.add_argument('--md', help='also write the markdown table here')
    parser.add_argument('--csv', help='also write the CSV here')
    parser.add_argument('--no-params', action='store_true',
                        help='do not load checkpoints to count parameters')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    dirs = find_runs(args.work_dirs)
    if not dirs:
        sys.exit(f'no MMEngine work directory under {args.work_dirs}')
    runs = [read_run(d, with_params=not args.no_params) for d in dirs]
    rows = summarize(runs, baseline=args.baseline)
    table = to_markdown(rows)
    print(table, end='')
    if args.md:
        with open(args.md, 'w') as f:
            f.write(table)
    if args.csv:
        with open(args.csv, 'w') as f:
            f.write(to_csv(rows))


if __name__ == '__main__':
    main()
