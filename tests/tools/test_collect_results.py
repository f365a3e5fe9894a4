"""tools/collect_results.py on synthetic MMEngine work directories."""
import csv
import io
import json
import math
import os

import pytest
import torch

from gdkd_seg.analysis.results import (mean_std, read_run, split_seed,
                                       summarize, to_markdown)
from tests.conftest import run_tool


def _write_run(work_dir, val, test=None, metric='mIoU', params=(10, 5),
               stamp='20240101_000000'):
    """A work dir as tools/train.py (+ test.py) leaves it."""
    log_dir = os.path.join(work_dir, stamp)
    os.makedirs(os.path.join(log_dir, 'vis_data'))
    with open(os.path.join(log_dir, f'{stamp}.log'), 'w') as f:
        f.write('log\n')
    with open(os.path.join(log_dir, 'vis_data', 'scalars.json'), 'w') as f:
        for i, v in enumerate(val):
            f.write(json.dumps(dict(loss=1.0, iter=i * 10 + 5,
                                    step=i * 10 + 5)) + '\n')
            f.write(json.dumps({metric: v, 'step': i * 10 + 10}) + '\n')
    if test is not None:
        test_stamp = stamp[:-1] + '9'
        os.makedirs(os.path.join(work_dir, test_stamp))
        with open(os.path.join(work_dir, test_stamp, f'{test_stamp}.log'),
                  'w') as f:
            f.write('log\n')
        with open(os.path.join(work_dir, test_stamp, f'{test_stamp}.json'),
                  'w') as f:
            f.write(json.dumps({metric: test, 'time': 0.1}) + '\n')
    state = {f'w{i}': torch.zeros(n) for i, n in enumerate(params)}
    state['bn.running_mean'] = torch.zeros(100)  # not a parameter
    state['bn.num_batches_tracked'] = torch.tensor(3)
    torch.save({'state_dict': state}, os.path.join(work_dir, 'iter_20.pth'))
    with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(os.path.join(work_dir, 'iter_20.pth'))


@pytest.fixture
def runs(tmp_path):
    root = tmp_path / 'wd'
    _write_run(str(root / 'teacher'), [60.0, 70.0], test=70.5)
    _write_run(str(root / 'baseline' / 'seed0'), [40.0, 50.0], test=50.0)
    _write_run(str(root / 'baseline' / 'seed1'), [44.0, 42.0], test=42.0)
    _write_run(str(root / 'gdkd' / 'seed0'), [45.0, 55.0], test=55.0)
    _write_run(str(root / 'gdkd' / 'seed1'), [47.0, 51.0], test=53.0)
    return root


def test_split_seed():
    assert split_seed('a/gdkd/seed1') == ('gdkd', 1)
    assert split_seed('a/gdkd_seed12/') == ('gdkd', 12)
    assert split_seed('a/gdkd-ls') == ('gdkd-ls', None)


def test_mean_std():
    assert mean_std([1.0, 3.0]) == (2.0, math.sqrt(2.0))
    mean, std = mean_std([5.0])
    assert mean == 5.0 and math.isnan(std)


def test_read_run(runs):
    run = read_run(str(runs / 'baseline' / 'seed1'))
    assert run.group == 'baseline' and run.seed == 1
    assert run.metric == 'mIoU'
    assert run.val == [44.0, 42.0]
    assert (run.last, run.best, run.test) == (42.0, 44.0, 42.0)
    assert run.params == 15  # BN statistics are not counted


def test_summarize_groups_seeds(runs):
    found = [read_run(str(runs / 'teacher'))]
    for g in ('baseline', 'gdkd'):
        found += [read_run(str(runs / g / f'seed{s}')) for s in (0, 1)]
    rows = {r['group']: r for r in summarize(found, baseline='baseline')}
    assert rows['baseline']['n'] == 2
    assert rows['baseline']['test'] == pytest.approx(46.0)
    assert rows['baseline']['test_std'] == pytest.approx(math.sqrt(32))
    assert rows['gdkd']['best'] == pytest.approx(53.0)  # mean of 55, 51
    assert rows['gdkd']['gain'] == pytest.approx(54.0 - 46.0)
    assert rows['teacher']['n'] == 1
    assert math.isnan(rows['teacher']['test_std'])
    md = to_markdown(list(rows.values()))
    assert '| gdkd | 2 | 0.000 | 54.00 ± 1.41 |' in md
    assert '+8.00' in md


def test_cli_markdown_and_csv(runs, tmp_path):
    out_csv, out_md = tmp_path / 'r.csv', tmp_path / 'r.md'
    proc = run_tool('tools/collect_results.py', str(runs), '--baseline',
                    'baseline', '--csv', str(out_csv), '--md', str(out_md))
    assert 'test mIoU' in proc.stdout
    assert out_md.read_text() == proc.stdout
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert [r['group'] for r in rows] == ['baseline', 'gdkd', 'teacher']
    assert float(rows[1]['test']) == pytest.approx(54.0)
    assert rows[1]['seeds'] == '0 1'
    assert float(rows[0]['gain']) == 0.0


def test_classification_top1(tmp_path):
    _write_run(str(tmp_path / 'kd_seed0'), [70.0, 71.0],
               metric='accuracy/top1')
    _write_run(str(tmp_path / 'kd_seed1'), [72.0, 70.0],
               metric='accuracy/top1')
    proc = run_tool('tools/collect_results.py', str(tmp_path), '--no-params')
    assert 'last val accuracy/top1' in proc.stdout
    assert '| kd | 2 | - | - | 70.50 ± 0.71 | 71.50 ± 0.71 |' in proc.stdout


def test_cli_no_runs(tmp_path):
    proc = run_tool('tools/collect_results.py', str(tmp_path), check=False)
    assert proc.returncode != 0
    assert 'no MMEngine work directory' in proc.stderr
