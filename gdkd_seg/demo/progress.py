"""The demo's progress display: one live line on a terminal, a line per
finished run elsewhere (CI logs, pipes)."""
import sys
import time
from typing import Dict, Optional, TextIO


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f'{seconds // 60:02d}:{seconds % 60:02d}'


class Progress:
    """Runs done / total, elapsed time, ETA and the running runs' iterations.

    The ETA counts training iterations, each weighted by the measured
    seconds per iteration of its kind of run (a distilled iteration also
    runs the teacher).

    Args:
        total_iters: ``{run key: iterations}`` of every run to do.
        cost: ``{run key: relative cost of one iteration}`` (default 1).
        stream: where to write (default stdout).
        live: redraw one line (default: if ``stream`` is a terminal).
    """

    def __init__(self, total_iters: Dict[str, int],
                 cost: Optional[Dict[str, float]] = None,
                 stream: Optional[TextIO] = None,
                 live: Optional[bool] = None) -> None:
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty() if live is None else live
        self.total = dict(total_iters)
        self.cost = {k: (cost or {}).get(k, 1.0) for k in self.total}
        self.done_iters = {k: 0 for k in self.total}
        self.finished, self.running = set(), set()
        self.start = time.time()
        self._width = 0

    def skip(self, key: str) -> None:
        """A run that was already finished (reused): not in the ETA."""
        self.total.pop(key)
        self.cost.pop(key)
        self.done_iters.pop(key)
        self.running.discard(key)

    def update(self, key: str, step: int) -> None:
        self.running.add(key)
        self.done_iters[key] = step
        self.draw()

    def done(self, key: str, message: str) -> None:
        """A run finished: print ``message`` on its own line."""
        self.running.discard(key)
        self.finished.add(key)
        self.done_iters[key] = self.total[key]
        self.print(message)

    def eta(self) -> Optional[float]:
        work = sum(self.done_iters[k] * self.cost[k] for k in self.total)
        left = sum((self.total[k] - self.done_iters[k]) * self.cost[k]
                   for k in self.total)
        if work <= 0:
            return None
        return (time.time() - self.start) * left / work

    def line(self) -> str:
        n, total = len(self.finished), len(self.total)
        width = 20
        fill = int(width * n / total) if total else width
        eta = self.eta()
        parts = [f'[{"#" * fill}{"." * (width - fill)}] {n}/{total} runs',
                 f'{_clock(time.time() - self.start)} elapsed',
                 f'ETA {_clock(eta) if eta is not None else "--:--"}']
        running = [f'{k} {self.done_iters[k]}/{self.total[k]}'
                   for k in sorted(self.running)]
        return '  '.join(parts) + ('  | ' + '  '.join(running)
                                   if running else '')

    def draw(self) -> None:
        if not self.live:
            return
        text = self.line()
        pad = max(self._width - len(text), 0)
        self.stream.write('\r' + text + ' ' * pad)
        self.stream.flush()
        self._width = len(text)

    def print(self, message: str) -> None:
        """A permanent line (above the live one on a terminal)."""
        stamp = _clock(time.time() - self.start)
        if self.live:
            self.stream.write('\r' + ' ' * self._width + '\r')
            self._width = 0
        n, total = len(self.finished), len(self.total)
        eta = self.eta() if n < total else None
        left = f' (ETA {_clock(eta)})' if eta is not None and n else ''
        self.stream.write(f'[{n:>2}/{total}] {stamp} {message}{left}\n')
        self.stream.flush()
        self.draw()
