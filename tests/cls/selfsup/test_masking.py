"""The nested masks: one permutation, prefixes for both models."""
import pytest
import torch

from gdkd_seg.cls.selfsup.masking import nested_random_masks


def test_prefixes_of_one_permutation():
    torch.manual_seed(0)
    m = nested_random_masks(3, 16, 0.75, 0.5, torch.device('cpu'))
    assert (m.num_student, m.num_teacher) == (4, 8)
    assert torch.equal(m.teacher_ids[:, :4], m.student_ids)
    assert torch.equal(m.ids_shuffle.gather(1, m.ids_restore),
                       torch.arange(16).expand(3, -1))
    assert torch.equal(m.mask.gather(1, m.student_ids), torch.zeros(3, 4))
    assert torch.equal(m.mask.sum(1), torch.full((3, ), 12.))
    # MMPretrain's MAEViT draws the same noise the same way
    torch.manual_seed(0)
    assert torch.equal(torch.rand(3, 16).argsort(1), m.ids_shuffle)


def test_teacher_seeing_less_is_refused():
    with pytest.raises(ValueError, match='at least as many'):
        nested_random_masks(1, 16, 0.5, 0.75, torch.device('cpu'))
    with pytest.raises(ValueError, match='at least one'):
        nested_random_masks(1, 16, 0.99, 0.5, torch.device('cpu'))
