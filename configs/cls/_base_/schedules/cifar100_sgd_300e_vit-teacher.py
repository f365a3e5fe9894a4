# How the locality-guidance code trains its CNN teacher
# (tiny-transformers configs/resnet/r-56_c100.yaml, pycls/core/
# optimizer.py): SGD LR 0.1, momentum 0.9, Nesterov, weight decay 5e-4
# except on biases and 1-D parameters, cosine to 0 over 300 epochs
# stepped per epoch, no warm-up, batch 128.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, nesterov=True,
                   weight_decay=5e-4),
    paramwise_cfg=dict(bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = dict(type='CosineAnnealingLR', T_max=300, eta_min=0.0,
                       by_epoch=True)
train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
