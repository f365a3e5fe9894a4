# What every gdkd_seg config turns on (../../_base_/default_runtime.py:
# runner, safe checkpoint loading, exact resume, data checks) plus the
# classification extra, which registers DMAE and AMD in MMPretrain
# (`pip install -e ".[cls]"`). Added beside an MMPretrain MAE config.
_base_ = '../../_base_/default_runtime.py'
custom_imports = dict(imports=['gdkd_seg', 'gdkd_seg.cls'],
                      allow_failed_imports=False)
