"""Analysis helpers behind tools/: results tables and plots."""
from .prediction_grid import (colorize, plot_prediction_grid,
                              predictions_from_configs)
from .results import find_runs, read_run, summarize, to_csv, to_markdown
from .teacher_distribution import (class_mean_distribution, drop_top1,
                                   plot_teacher_distribution,
                                   teacher_distribution_from_config)

__all__ = [
    'colorize', 'plot_prediction_grid', 'predictions_from_configs',
    'find_runs', 'read_run', 'summarize', 'to_csv', 'to_markdown',
    'class_mean_distribution', 'drop_top1', 'plot_teacher_distribution',
    'teacher_distribution_from_config'
]
