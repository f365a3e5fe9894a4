"""tools/demo.py --quick end to end: data with a held-out test split, the
shipped teacher (and, once, a teacher trained by the demo), paired students
over two seeds, results.json, tables, sentences and plots."""
import glob
import re
import json
import math

import matplotlib.image as mpimg
import pytest

from tests.conftest import run_tool

METHODS = ['baseline', 'kd', 'dkd', 'gdkd', 'gdkd_ls']
# a finished run's progress line, e.g. "[ 3/11] 00:42 kd s0: test mIoU 9.1"
RUN_DONE = re.compile(r'^\[ *\d+/\d+\] \d\d:\d\d \S+ s\d+: test mIoU',
                      re.M)
T1 = 12.706  # t(0.975, 1) from a printed t-table: two seeds, df = 1


def _paired_by_hand(a, b):
    d = [x - y for x, y in zip(a, b)]
    mean = sum(d) / len(d)
    half = T1 * abs(d[0] - d[1]) / 2  # sd / sqrt(2) of two values
    return mean, [mean - half, mean + half], sum(x > 0 for x in d)


def test_demo_quick(tmp_path):
    work = tmp_path / 'demo'
    proc = run_tool('tools/demo.py', '--quick', '--work-dir', str(work),
                    timeout=900)
    out = proc.stdout
    lines = out.strip().splitlines()
    # progress: one numbered line per finished run, MMEngine's logs are
    # not on the terminal but in each run's work dir
    assert 'data: 16 train / 4 val / 8 held-out test images' in out
    assert len(RUN_DONE.findall(out)) == 2 * len(METHODS) + 1  # + teacher
    assert 'Iter(train)' not in out
    for m in METHODS:
        for seed in (0, 1):
            logs = glob.glob(str(work / m / f'seed{seed}' / '2*' / '*.log'))
            assert logs and 'Iter(train)' in open(logs[0]).read(), (m, seed)
    # three disjoint splits in the Cityscapes layout
    for split, n in (('train', 16), ('val', 4), ('test', 8)):
        assert len(glob.glob(str(work / 'data' / 'leftImg8bit' / split /
                                 '*' / '*.png'))) == n
    res = json.loads((work / 'results.json').read_text())
    assert res['seeds'] == [0, 1]
    assert list(res['methods']) == METHODS
    assert 0 <= res['teacher']['test_miou'] <= 100
    test = {m: res['methods'][m]['test_miou'] for m in METHODS}
    for m in METHODS:
        assert len(test[m]) == 2 and all(0 <= v <= 100 for v in test[m])
    # the baseline is not compared with itself
    assert 'paired_vs_baseline' not in res['methods']['baseline']
    for m in METHODS[1:]:
        mean, ci, wins = _paired_by_hand(test[m], test['baseline'])
        stats = res['methods'][m]['paired_vs_baseline']
        assert stats['mean'] == pytest.approx(mean)
        assert stats['ci95'] == pytest.approx(ci, abs=1e-2)
        assert stats['wins'] == wins
    gk = res['comparisons']['gdkd-kd']
    assert gk['mean'] == pytest.approx(
        sum(test['gdkd']) / 2 - sum(test['kd']) / 2)
    # the last lines: one plain sentence per comparison
    assert [line.split(' ')[0] for line in lines[-6:]] == [
        'KD', 'DKD', 'GDKD', 'GDKD+LS', 'GDKD', 'GDKD']
    assert all('held-out test data' in line for line in lines[-6:])
    md = (work / 'results.md').read_text()
    assert 'paired Δ vs baseline' in md and '| GDKD − KD |' in md
    for name in ('paired_differences.png', 'teacher_distribution.png',
                 'predictions.png'):
        img = mpimg.imread(str(work / name))
        assert min(img.shape[:2]) > 100 and img[..., :3].std() > 0.01
    # a second call reuses every finished run
    again = run_tool('tools/demo.py', '--quick', '--work-dir', str(work),
                     '--no-plots', timeout=600)
    assert not RUN_DONE.findall(again.stdout)
    assert json.loads((work / 'results.json').read_text())['methods'] == \
        res['methods']


def test_demo_trains_its_own_teacher(tmp_path):
    work = tmp_path / 'demo'
    proc = run_tool('tools/demo.py', '--quick', '--train-teacher',
                    '--methods', 'baseline', 'gdkd', '--seeds', '3',
                    '--no-plots', '--work-dir', str(work), timeout=600)
    assert 'teacher s0: test mIoU' in proc.stdout
    ckpt = work / 'teacher' / 'iter_8.pth'
    assert ckpt.is_file()
    res = json.loads((work / 'results.json').read_text())
    assert res['settings']['teacher'] == 'trained'
    assert list(res['methods']) == ['baseline', 'gdkd']
    stats = res['methods']['gdkd']['paired_vs_baseline']
    assert all(math.isnan(v) for v in stats['ci95'])  # one seed
    # the distilled student was trained with that teacher
    cfg = json.loads((work / 'gdkd' / 'seed3' / 'result.json').read_text())
    assert cfg['job']['options']['model.teacher_ckpt'] == str(ckpt)
