# The ImageNet schedule of the distillation runs (docs/losses.md §4):
# batch 512 (8 x 64), LR 0.2, 100 epochs, x0.1 at 30/60/90, wd 1e-4.
_base_ = 'mmpretrain::_base_/schedules/imagenet_bs256.py'
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4))
# _delete_ as the distillation configs always had it (it only drops
# MMPretrain's _scope_).
param_scheduler = dict(
    _delete_=True, type='MultiStepLR', by_epoch=True,
    milestones=[30, 60, 90], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
auto_scale_lr = dict(base_batch_size=512)
