# CIRKD's schedule (winycg/CIRKD 91735ef, train_baseline.py / train_kd.py;
# Af-DCD's train_ocmgd.py is the same): 40k iterations, SGD lr 0.02,
# momentum 0.9, weight decay 1e-4 on every parameter, lr =
# 0.02 * (1 - i / 40000) ** 0.9 (no floor), validation every 800
# iterations and the best val mIoU kept (its *_best_model.pth).
optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
# MMEngine's PolyLR decays over end - begin - 1 steps: end=40001 gives
# (1 - i / 40000) ** 0.9 at iteration i as CIRKD (end=40000 would reach the
# floor one step early and differ by 2e-5 relative mid-run)
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=40001,
         by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=40000, val_interval=800)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# the lr was tuned for 16 images per iteration (--auto-scale-lr)
auto_scale_lr = dict(enable=False, base_batch_size=16)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # a checkpoint at each validation (the latest kept, for --resume) and
    # best_mIoU_iter_*.pth: the number to report is its val mIoU
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=800,
                    max_keep_ckpts=1, save_best='mIoU', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
