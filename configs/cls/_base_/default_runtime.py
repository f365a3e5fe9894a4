# MMPretrain's runtime with gdkd_seg's (./mmpretrain_runtime.py) and fewer,
# best-kept checkpoints for long CIFAR schedules.
_base_ = './mmpretrain_runtime.py'
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=10, max_keep_ckpts=2, save_best='auto'))
