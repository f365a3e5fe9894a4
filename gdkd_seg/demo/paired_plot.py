"""Plot per-seed paired differences with their means and 95 % intervals."""
from typing import Dict, List, Tuple

import numpy as np


def plot_paired_differences(rows: List[Tuple[str, Dict]], out: str,
                            unit: str = 'test mIoU (points)',
                            title: str = '') -> str:
    """One column per comparison: the per-seed differences (dots, seeds
    in order from left to right), their mean (bar) and interval.

    Args:
        rows: ``(label, stats)`` with ``stats`` as
            :meth:`gdkd_seg.demo.paired.Paired.as_dict` returns; the
            interval drawn is ``stats['ci']`` if given (e.g. a
            multiplicity-adjusted one), else the 95 % ``stats['ci95']``;
            ``stats['primary']`` draws it in black, others in grey.
        out: the PNG to write.
        unit: the y axis label.
        title: the figure title.

    Returns:
        ``out``.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.6 + 1.4 * len(rows), 4.2))
    ax.axhline(0, color='0.4', lw=1, ls='--')
    for i, (label, stats) in enumerate(rows):
        diffs = np.asarray(stats['diffs'], float)
        spread = np.linspace(-0.18, 0.18, len(diffs)) if len(diffs) > 1 \
            else np.zeros(1)
        lo, hi = stats.get('ci', stats['ci95'])
        primary = stats.get('primary', False)
        above = not np.isnan(lo) and lo > 0
        colour = 'tab:green' if above and primary else 'tab:gray'
        ax.scatter(i + spread, diffs, s=18, color=colour, alpha=0.7,
                   zorder=3)
        if not np.isnan(lo):
            ax.errorbar(i, stats['mean'],
                        yerr=[[stats['mean'] - lo], [hi - stats['mean']]],
                        fmt='_', ms=22, mew=2.5, capsize=7, lw=2,
                        color='black' if primary else '0.55', zorder=4)
        ax.annotate(f"{stats['mean']:+.2f}\n{stats['wins']}/"
                    f"{len(diffs)} wins", (i, hi if not np.isnan(hi)
                                          else stats['mean']),
                    textcoords='offset points', xytext=(0, 8),
                    ha='center', fontsize=8)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([label for label, _ in rows], fontsize=9)
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_ylabel(f'paired difference, {unit}')
    if title:
        ax.set_title(title, fontsize=10)
    ax.margins(y=0.2)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
