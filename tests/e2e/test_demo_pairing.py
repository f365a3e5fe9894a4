"""The demo's comparison is paired: for a seed, the undistilled baseline and
every distilled student start from bit-identical student weights, see the
same batches in the same order and draw the same random numbers (dropout)
at every iteration, so their test mIoU differ only by what distillation
did. Runs MMEngine's runner on the demo configs, as tools/train.py does."""
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from gdkd_seg.demo import build_demo_digits
from tests.conftest import REPO

CONFIGS = REPO / 'configs' / 'demo'
METHODS = {
    'baseline': 'plainnet16_baseline_digits.py',
    'kd': 'kd_plainnet32_to_plainnet16_digits.py',
    'gdkd_ls': 'gdkd_plainnet32_to_plainnet16_ls_digits.py',
}
ITERS = 3


class Recorder(Hook):
    """The student's weights when training starts (after MMEngine's
    ``init_weights``), the images of every batch, and the torch random
    state after every iteration."""

    def __init__(self) -> None:
        self.weights, self.batches, self.rng = None, [], []

    def before_train(self, runner) -> None:
        model = runner.model
        student = getattr(model, 'student', model)
        self.weights = {k: v.clone() for k, v in student.state_dict().items()}

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.batches.append(
            [s.img_path.rsplit('/', 1)[-1] for s in data_batch['data_samples']])

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self.rng.append(torch.get_rng_state())


@pytest.fixture(scope='module')
def demo_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('digits'))
    build_demo_digits(root, n_train=24, n_val=2, n_test=2)
    return root


def record(method: str, seed: int, data: str, work_dir: str) -> Recorder:
    cfg = Config.fromfile(str(CONFIGS / METHODS[method]))
    options = {f'{k}_dataloader.dataset.data_root': data
               for k in ('train', 'val', 'test')}
    options.update({
        'train_cfg.max_iters': ITERS, 'train_cfg.val_interval': ITERS + 1,
        'param_scheduler.0.end': ITERS, 'randomness.seed': seed,
        'default_hooks.checkpoint.interval': ITERS + 1,
        'work_dir': work_dir, 'experiment_name': f'{method}_{seed}'})
    if method != 'baseline':
        options['model.teacher_ckpt'] = None  # random teacher: no file
    cfg.merge_from_dict(options)
    runner = Runner.from_cfg(cfg)
    recorder = Recorder()
    runner.register_hook(recorder, priority='LOWEST')
    runner.train()
    return recorder


@pytest.mark.parametrize('seed', [0, 1])
def test_distilled_students_are_paired_with_the_baseline(
        seed, demo_data, tmp_path):
    runs = {m: record(m, seed, demo_data, str(tmp_path / m))
            for m in METHODS}
    base = runs['baseline']
    assert len(base.batches) == ITERS
    for method, run in runs.items():
        assert run.weights.keys() == base.weights.keys(), method
        for key, value in base.weights.items():
            assert torch.equal(run.weights[key], value), (method, key)
        assert run.batches == base.batches, method
        for a, b in zip(run.rng, base.rng):
            assert torch.equal(a, b), method
    # the seed matters: another seed starts elsewhere and shuffles otherwise
    other = record('baseline', seed + 7, demo_data, str(tmp_path / 'o'))
    assert other.batches != base.batches
    assert any(not torch.equal(other.weights[k], v)
               for k, v in base.weights.items())
