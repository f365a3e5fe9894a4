# Transfer-learning schedule on CUB-200-2011: GDKD repo
# configs/TL/cub2011/vanilla (fine-tuning from ImageNet weights). The
# distillation schedule of the GDKD repo's TL configs is the same
# (batch 64): the TL distillation configs inherit it with their
# students' baselines.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.0025, momentum=0.9, weight_decay=0.001))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[40, 80], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=64)
