"""The demo's progress display: a live line on terminals, one line per
finished run elsewhere, and an ETA from the iterations done so far."""
import io

from gdkd_seg.demo.progress import Progress


class Clock:
    """A stand-in for time.time that the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_eta_weighs_iterations_by_cost(monkeypatch):
    clock = Clock()
    monkeypatch.setattr('gdkd_seg.demo.progress.time.time', clock)
    p = Progress({'baseline s0': 100, 'gdkd s0': 100},
                 cost={'gdkd s0': 3.0}, stream=io.StringIO(), live=False)
    assert p.eta() is None  # nothing measured yet
    clock.now += 10
    p.update('baseline s0', 100)  # 100 units of work in 10 s
    # 300 units left (100 iterations of cost 3) at 10 units/s
    assert abs(p.eta() - 30.0) < 1e-9
    clock.now += 15
    p.update('gdkd s0', 50)  # 250 done in 25 s, 150 left
    assert abs(p.eta() - 15.0) < 1e-9


def test_lines_without_a_terminal():
    out = io.StringIO()
    p = Progress({'a s0': 10, 'b s0': 10}, stream=out, live=False)
    p.update('a s0', 5)  # no live line: nothing written
    assert out.getvalue() == ''
    p.done('a s0', 'a s0: test mIoU 1.00')
    p.done('b s0', 'b s0: test mIoU 2.00')
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith('[ 1/2] 00:00 a s0: test mIoU 1.00')
    assert 'ETA' in lines[0] and 'ETA' not in lines[1]  # none when done
    assert lines[1].startswith('[ 2/2]')


def test_live_line_is_redrawn_in_place():
    out = io.StringIO()
    p = Progress({'a s0': 10, 'b s0': 20}, stream=out, live=True)
    p.update('a s0', 5)
    p.update('b s0', 10)
    text = out.getvalue()
    assert '\n' not in text and text.count('\r') == 2  # one line, redrawn
    assert '0/2 runs' in text and 'a s0 5/10' in text and 'b s0 10/20' in text
    p.done('a s0', 'a finished')
    assert '\r[ 1/2] 00:00 a finished (ETA 00:00)\n' in out.getvalue()
    assert '1/2 runs' in out.getvalue().split('\n')[-1]  # redrawn below
    p.skip('b s0')  # reused runs leave the count
    assert p.line().split(']')[1].startswith(' 1/1 runs')
