# The CIFAR-100 schedule of every logit-distillation method
# (docs/losses.md §4): SGD, batch 64, 240 epochs, LR 0.05 (0.01 for
# ShuffleNet/MobileNet students, set in their configs), x0.1 at
# 150/180/210, wd 5e-4, momentum 0.9.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[150, 180, 210],
    gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=240, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=64)
