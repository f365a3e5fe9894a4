"""The student of a distillation checkpoint as a plain checkpoint."""
import os
import os.path as osp

from gdkd_seg.checkpoint.atomic_io import atomic_torch_save
from gdkd_seg.checkpoint.plain_data import to_plain
from gdkd_seg.checkpoint.safe_load import load_mmengine_checkpoint


def extract_student(checkpoint: str, output: str) -> int:
    """Save the student weights of ``checkpoint`` to ``output``.

    The output holds ``state_dict`` (the student's keys, without the
    ``student.`` prefix) and ``meta``, as plain data written atomically:
    plain MMSeg / MMPretrain (a bare ``torch.load``) load it strictly into
    a model built from the student config.

    Args:
        checkpoint: a distillation checkpoint (path or URL).
        output: where to write the student checkpoint.

    Returns:
        The number of tensors written.

    Raises:
        ValueError: ``checkpoint`` holds no ``student.`` weights.
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
