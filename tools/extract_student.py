"""Write the student of a distillation checkpoint as a plain checkpoint.

    python tools/extract_student.py CHECKPOINT OUTPUT

The output holds ``state_dict`` (the student's keys, without the
``student.`` prefix) and ``meta`` as plain data, written atomically;
plain MMSeg / MMPretrain (a bare ``torch.load``) load it
strictly into a model built from the student config
(:func:`gdkd_seg.apis.extract_student`).
"""
import argparse

from gdkd_seg.apis import extract_student


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='distillation checkpoint')
    parser.add_argument('output', help='where to write the student')
    args = parser.parse_args()
    n = extract_student(args.checkpoint, args.output)
    print(f'wrote {n} student tensors to {args.output}')


if __name__ == '__main__':
    main()
