"""Write the student of a distillation checkpoint as a plain checkpoint.

    python tools/extract_student.py CHECKPOINT OUTPUT

The output holds ``state_dict`` (the student's keys, without the
``student.`` prefix) and ``meta``, as plain data written atomically:
plain MMSeg / MMPretrain (a bare ``torch.load``) load it strictly into a
model built from the student config.
"""
import argparse
import os
import os.path as osp

from gdkd_seg.checkpoint import atomic_torch_save, to_plain
from gdkd_seg.utils.safe_load import load_mmengine_checkpoint


def extract_student(checkpoint: str, output: str) -> int:
    """Save the student weights of ``checkpoint`` to ``output``.

    Returns:
        The number of tensors written.
    """
    ckpt = load_mmengine_checkpoint(checkpoint, logger='silent')
    state = ckpt.get('state_dict', ckpt)
    prefix = 'student.'
    student = {k[len(prefix):]: v for k, v in state.items()
               if k.startswith(prefix)}
    if not student:
        raise ValueError(f'{checkpoint} has no "student." weights: not a '
                         'gdkd_seg distillation checkpoint')
    meta = {k: v for k, v in ckpt.get('meta', {}).items()
            if k in ('epoch', 'iter', 'mmengine_version', 'dataset_meta',
                     'seed', 'experiment_name')}
    os.makedirs(osp.dirname(osp.abspath(output)), exist_ok=True)
    atomic_torch_save(to_plain({'state_dict': student, 'meta': meta})[0],
                      output)
    return len(student)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='distillation checkpoint')
    parser.add_argument('output', help='where to write the student')
    args = parser.parse_args()
    n = extract_student(args.checkpoint, args.output)
    print(f'wrote {n} student tensors to {args.output}')


if __name__ == '__main__':
    main()
