# What every gdkd_seg config turns on (segmentation, classification, demo),
# so that MMSeg's and MMPretrain's own tools/train.py, `mim train` and
# RUNNERS.build(cfg) run exactly what our tools/train.py runs
# (docs "Same run from any launcher").
# - the registrations (losses, distillers, backbones, hooks, runner) and
#   the mmcv-lite / safe-loading fixes of `import gdkd_seg`;
custom_imports = dict(imports=['gdkd_seg'], allow_failed_imports=False)
# - before MMEngine builds anything: gloo on CPUs for --launcher
#   pytorch/slurm, SyncBN -> BN and AMP -> bf16 autocast without a GPU,
#   `safe_globals`, auto_scale_lr's base batch from the `NxbM` name;
runner_type = 'GDKDRunner'
# - checkpoints (load_from, resume, init_cfg) through the safe unpickler
#   with MMEngine's allow-list, checkpoints written as plain data
#   (torch.load's default loads them) and atomically, exact resume
#   (random states in checkpoints), fail-fast data checks, clean exit of
#   CPU distributed runs. A config that sets custom_hooks replaces this
#   list; keep it with
#   `custom_hooks = _base_.custom_hooks + [dict(type='TeacherEvalHook')]`.
custom_hooks = [
    dict(type='SafeLoadHook'),
    dict(type='SafeSaveHook'),
    dict(type='RNGStateHook'),
    dict(type='DataCheckHook'),
    dict(type='GlooDrainHook'),
]
