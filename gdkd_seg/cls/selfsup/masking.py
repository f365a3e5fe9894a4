"""Random patch masks for a student and a teacher from one random draw."""
from typing import NamedTuple

import torch
from torch import Tensor


class NestedMasks(NamedTuple):
    """Which patches the student and the teacher see.

    Both visible sets are prefixes of one random permutation, so the
    student's is the teacher's first ``num_student`` entries: identical
    when the two counts are equal (DMAE), nested otherwise (AMD).

    Attributes:
        ids_shuffle: ``(N, L)`` patch indices in random order.
        ids_restore: ``(N, L)`` the inverse permutation (what MMPretrain's
            MAE decoder takes to put tokens back in place).
        mask: ``(N, L)`` 1 for patches the student does not see, 0 for
            those it sees (MMPretrain's MAE convention).
        num_student: how many patches the student sees.
        num_teacher: how many the teacher sees (``>= num_student``).
    """
    ids_shuffle: Tensor
    ids_restore: Tensor
    mask: Tensor
    num_student: int
    num_teacher: int

    @property
    def student_ids(self) -> Tensor:
        """``(N, num_student)`` the student's visible patches."""
        return self.ids_shuffle[:, :self.num_student]

    @property
    def teacher_ids(self) -> Tensor:
        """``(N, num_teacher)`` the teacher's, the student's first."""
        return self.ids_shuffle[:, :self.num_teacher]


def num_visible(num_patches: int, mask_ratio: float) -> int:
    """Patches kept at ``mask_ratio`` (MMPretrain's ``MAEViT`` rounding)."""
    return int(num_patches * (1 - mask_ratio))


def nested_random_masks(batch: int, num_patches: int,
                        student_ratio: float, teacher_ratio: float,
                        device: torch.device) -> NestedMasks:
    """Per-image random masks, the student's visible set inside the
    teacher's.

    One uniform noise draw per patch, sorted as MMPretrain's ``MAEViT``
    does: a single random stream serves both models, so an MAE run and a
    distilled run with the same seed draw the same student masks.

    Raises:
        ValueError: the teacher would see fewer patches than the student,
            or the student none.
    """
    num_student = num_visible(num_patches, student_ratio)
    num_teacher = num_visible(num_patches, teacher_ratio)
    if not 0 < num_student <= num_teacher:
        raise ValueError(
            f'mask ratios {student_ratio} (student) and {teacher_ratio} '
            f'(teacher) leave {num_student} and {num_teacher} of '
            f'{num_patches} patches visible: the student must see at least '
            'one and the teacher at least as many as the student')
    noise = torch.rand(batch, num_patches, device=device)
    ids_shuffle = noise.argsort(dim=1)  # small noise: kept
    ids_restore = ids_shuffle.argsort(dim=1)
    mask = torch.ones(batch, num_patches, device=device)
    mask[:, :num_student] = 0
    mask = mask.gather(1, ids_restore)
    return NestedMasks(ids_shuffle, ids_restore, mask, num_student,
                       num_teacher)
