"""tools/demo.py --quick end to end: data, teacher, five students, tests,
table and plots, through the real tools (a few iterations each)."""
import csv
import glob
import os.path as osp

import matplotlib.image as mpimg

from tests.conftest import run_tool

GROUPS = ['teacher', 'baseline', 'kd', 'dkd', 'gdkd', 'gdkd_ls']


def test_demo_quick(tmp_path):
    work = tmp_path / 'demo'
    proc = run_tool('tools/demo.py', '--quick', '--work-dir', str(work),
                    timeout=900)
    out = proc.stdout
    # progress is visible, one numbered line per finished step
    assert '[ 1/' in out and 'teacher: test mIoU' in out
    assert 'gdkd_ls seed 0: test mIoU' in out
    # the demo data is in the Cityscapes layout
    assert len(glob.glob(str(
        work / 'data/leftImg8bit/train/*/*_leftImg8bit.png'))) == 32
    # every model was trained by tools/train.py and tested by tools/test.py
    for group in GROUPS:
        run = work / group if group == 'teacher' else work / group / 'seed0'
        assert glob.glob(str(run / 'iter_*.pth')), group
        assert (run / 'test.out').read_text().count('mIoU') >= 1
    rows = list(csv.DictReader(open(work / 'results.csv')))
    assert [r['group'] for r in rows] == GROUPS
    for r in rows:
        assert 0.0 <= float(r['test']) <= 100.0
        assert int(r['params']) > 0
    assert float(rows[1]['gain']) == 0.0  # the baseline row
    # the student rows count the student only (the teacher is 4x larger)
    assert int(rows[0]['params']) > 3 * int(rows[1]['params'])
    assert len({r['params'] for r in rows[1:]}) == 1
    md = (work / 'results.md').read_text()
    assert 'gain vs baseline' in md and '| gdkd_ls | 1 |' in md
    assert md.split('\n\n', 1)[1] in out  # the table is printed too
    for name in ('teacher_distribution.png', 'predictions.png'):
        img = mpimg.imread(str(work / name))
        assert min(img.shape[:2]) > 100 and img[..., :3].std() > 0.01
    # a second call reuses the finished runs
    again = run_tool('tools/demo.py', '--quick', '--work-dir', str(work),
                     '--methods', 'baseline', timeout=600)
    assert 'baseline seed 0: test mIoU' in again.stdout
    assert len(glob.glob(str(work / 'baseline/seed0/2*_*'))) == 2
    assert osp.isfile(work / 'results.md')
