"""extract_student() keeps the student's weights under the student's own
keys and the run's metadata, and refuses a checkpoint without a student
(real distillation checkpoints: tests/e2e, tests/checkpoint)."""
import pytest
import torch

from gdkd_seg.apis import extract_student


def test_student_keys_without_prefix(tmp_path):
    weight, bias = torch.randn(3, 2), torch.randn(3)
    src = tmp_path / 'run.pth'
    torch.save({'state_dict': {'student.linear.weight': weight,
                               'student.linear.bias': bias,
                               'ctkd.theta': torch.zeros(1)},
                'meta': {'iter': 7, 'seed': 3, 'hook_msgs': {'x': 1}}}, src)
    out = tmp_path / 'sub' / 'student.pth'
    assert extract_student(str(src), str(out)) == 2
    saved = torch.load(out)  # plain data: loads weights-only
    assert set(saved['state_dict']) == {'linear.weight', 'linear.bias'}
    assert torch.equal(saved['state_dict']['linear.weight'], weight)
    assert saved['meta'] == {'iter': 7, 'seed': 3}


def test_no_student_is_refused(tmp_path):
    src = tmp_path / 'plain.pth'
    torch.save({'state_dict': {'linear.weight': torch.randn(3, 2)}}, src)
    with pytest.raises(ValueError, match='no "student." weights'):
        extract_student(str(src), str(tmp_path / 'out.pth'))
    assert not (tmp_path / 'out.pth').exists()
