# MMPretrain's runtime + gdkd_seg's registrations (backbones, distiller,
# losses) and fewer, best-kept checkpoints for long CIFAR schedules.
_base_ = 'mmpretrain::_base_/default_runtime.py'
custom_imports = dict(imports=['gdkd_seg'], allow_failed_imports=False)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=10, max_keep_ckpts=2, save_best='auto'))
