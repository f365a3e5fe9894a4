# MMPretrain's runtime + what every gdkd_seg config turns on
# (../../_base_/default_runtime.py) + the classification registrations,
# which need the `cls` extra (`pip install -e ".[cls]"`): importing
# gdkd_seg.cls without MMPretrain stops with a message saying so.
_base_ = [
    'mmpretrain::_base_/default_runtime.py',
    '../../_base_/default_runtime.py',
]
custom_imports = dict(imports=['gdkd_seg', 'gdkd_seg.cls'],
                      allow_failed_imports=False)
