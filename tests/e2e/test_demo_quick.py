"""tools/demo.py --quick end to end: data with a held-out test split, the
shipped teacher (and, once, a teacher trained by the demo), paired students
over two seeds, the pre-registered analysis in results.json, tables,
sentences and plots."""
import glob
import hashlib
import json
import math
import re

import matplotlib.image as mpimg
import pytest
import torch

from gdkd_seg.demo.pipeline import TEACHER_CKPT, TEACHER_INFO
from gdkd_seg.checkpoint import load_mmengine_checkpoint
from tests.conftest import run_tool

METHODS = ['baseline', 'kd', 'dkd', 'gdkd', 'gdkd_ls']
# a finished run's progress line, e.g. "[ 3/11] 00:42 kd s0: test mIoU 9.1"
RUN_DONE = re.compile(r'^\[ *\d+/\d+\] \d\d:\d\d \S+ s\d+: test mIoU',
                      re.M)
# two seeds, df = 1: t(0.975, 1) = tan(0.475 pi), t(0.9875, 1) =
# tan(0.4875 pi) (Cauchy quantiles; 12.706 and 25.452 in printed tables)
T1 = {0.95: 12.706, 0.975: 25.452}


def _paired_by_hand(a, b, level=0.95):
    d = [x - y for x, y in zip(a, b)]
    mean = sum(d) / len(d)
    half = T1[level] * abs(d[0] - d[1]) / 2  # sd / sqrt(2) of two values
    return mean, [mean - half, mean + half], sum(x > 0 for x in d)


def _sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_demo_quick(demo_quick):
    work, out = demo_quick
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
    assert res['seeds'] == [0, 1] and res['split'] == 'test'
    assert list(res['methods']) == METHODS
    test = {m: res['methods'][m]['test_miou'] for m in METHODS}
    for m in METHODS:
        assert len(test[m]) == 2 and all(0 <= v <= 100 for v in test[m])
    # the pre-registered analysis: two primaries with Holm, the rest
    # exploratory (unadjusted)
    plan = res['analysis']
    assert plan['primary'] == ['gdkd-baseline', 'gdkd-kd']
    assert plan['correction'] == 'holm' and plan['alpha'] == 0.05
    assert 'gdkd_ls-gdkd' in plan['exploratory']
    assert json.loads((work / 'analysis_plan.json').read_text())[
        'primary'] == plan['primary']
    for key, stats in res['primary'].items():
        a, b = key.split('-')
        mean, _, wins = _paired_by_hand(test[a], test[b])
        assert stats['mean'] == pytest.approx(mean)
        assert stats['wins'] == wins
        h = stats['holm']
        assert h['level'] in (0.975, 0.95)
        _, ci, _ = _paired_by_hand(test[a], test[b], h['level'])
        assert h['ci'] == pytest.approx(ci, abs=1e-2)
    for m in METHODS[1:]:
        if f'{m}-baseline' in res['primary']:
            continue
        mean, ci, wins = _paired_by_hand(test[m], test['baseline'])
        stats = res['exploratory'][f'{m}-baseline']
        assert stats['mean'] == pytest.approx(mean)
        assert stats['ci95'] == pytest.approx(ci, abs=1e-2)
        assert stats['wins'] == wins
    # the last lines: the verdict (primaries), then exploratory lines
    verdict = lines[-7:]
    assert verdict == res['verdict']
    assert all(v.startswith('Primary (2 comparisons, Holm): GDKD ')
               for v in verdict[:2])
    assert all(v.startswith('Exploratory, not part of the verdict: ')
               and ' beat ' not in v for v in verdict[2:])
    md = (work / 'results.md').read_text()
    assert 'Holm-adjusted interval' in md and '| GDKD − KD |' in md
    for name in ('paired_differences.png', 'teacher_distribution.png',
                 'predictions.png'):
        img = mpimg.imread(str(work / name))
        assert min(img.shape[:2]) > 100 and img[..., :3].std() > 0.01
    # a second call reuses every finished run (and rewrites the same
    # tables)
    again = run_tool('tools/demo.py', '--quick', '--work-dir', str(work),
                     '--no-plots', timeout=600)
    assert not RUN_DONE.findall(again.stdout)
    assert json.loads((work / 'results.json').read_text())['methods'] == \
        res['methods']


def test_teacher_is_checked_and_measured_in_the_run(demo_quick):
    work, out = demo_quick
    res = json.loads((work / 'results.json').read_text())
    info = json.loads(open(TEACHER_INFO).read())
    assert res['teacher']['sha256'] == info['sha256'] == _sha256(TEACHER_CKPT)
    measured = json.loads((work / 'teacher_eval' / 'result.json').read_text())
    assert res['teacher']['test_miou'] == measured['test']
    assert 'teacher s0: test mIoU' in out
    assert '| teacher | ' in (work / 'results.md').read_text()


def test_every_method_is_paired_through_the_worker_path(demo_quick):
    """For a seed, every student (baseline, KD, DKD, GDKD, GDKD+LS, the
    distilled ones with the shipped teacher) started from the same
    weights, saw the same batches and drew the same random numbers at
    every iteration, as recorded inside the demo's worker processes."""
    work, _ = demo_quick
    records = {}
    for seed in (0, 1):
        for m in METHODS:
            result = json.loads(
                (work / m / f'seed{seed}' / 'result.json').read_text())
            if m != 'baseline':
                assert result['job']['options']['model.teacher_ckpt'] == \
                    TEACHER_CKPT
            # the configs' runner (RunConfig: the text formatted once)
            assert result['runner'] == 'GDKDRunner'
            records[m, seed] = result['pairing']
        for m in METHODS:
            assert records[m, seed] == records['baseline', seed], (m, seed)
    for key in ('init', 'batches', 'rng'):  # the seed matters
        assert records['gdkd', 0][key] != records['gdkd', 1][key]
    res = json.loads((work / 'results.json').read_text())
    assert res['pairing'] == {'0': {'paired': True, 'differ': {}},
                              '1': {'paired': True, 'differ': {}}}


def test_demo_trains_its_own_teacher(tmp_path):
    work = tmp_path / 'demo'
    shipped = _sha256(TEACHER_CKPT), open(TEACHER_INFO).read()
    proc = run_tool('tools/demo.py', '--quick', '--train-teacher',
                    '--export-teacher', '--methods', 'baseline', 'gdkd',
                    '--seeds', '3', '--no-plots', '--work-dir', str(work),
                    timeout=600)
    assert 'teacher s0: test mIoU' in proc.stdout
    ckpt = work / 'teacher' / 'iter_8.pth'
    assert ckpt.is_file()
    res = json.loads((work / 'results.json').read_text())
    assert res['settings']['teacher'] == 'trained'
    assert res['teacher']['sha256'] == _sha256(ckpt)
    assert list(res['methods']) == ['baseline', 'gdkd']
    stats = res['primary']['gdkd-baseline']
    assert all(math.isnan(v) for v in stats['holm']['ci'])  # one seed
    assert res['primary'].keys() == {'gdkd-baseline'}
    assert res['analysis']['primary_not_run'] == ['gdkd-kd']
    # one seed: no interval, so no verdict (and no talk of one)
    line = res['verdict'][0]
    assert 'no verdict from one seed' in line and 'includes 0' not in line
    assert line in proc.stdout
    # the distilled student was trained with that teacher
    cfg = json.loads((work / 'gdkd' / 'seed3' / 'result.json').read_text())
    assert cfg['job']['options']['model.teacher_ckpt'] == str(ckpt)
    assert cfg['job']['context']['teacher_sha256'] == _sha256(ckpt)
    # --export-teacher writes into the work dir, never over the shipped
    # teacher: plain data that loads with torch's safe unpickler, with a
    # record of its sha256
    assert (_sha256(TEACHER_CKPT), open(TEACHER_INFO).read()) == shipped
    exported = work / 'teacher_export' / 'plainnet32_teacher_digits.pth'
    record = json.loads(
        (work / 'teacher_export' / 'teacher.json').read_text())
    assert record['sha256'] == _sha256(exported)
    assert record['test_miou'] == res['teacher']['test_miou']
    state = torch.load(exported, map_location='cpu', weights_only=True)
    trained = load_mmengine_checkpoint(str(ckpt), logger='silent')
    assert state['state_dict'].keys() == trained['state_dict'].keys()
    for k, v in state['state_dict'].items():
        assert torch.equal(v, trained['state_dict'][k]), k
