# Our DeepLabV3-R18 ADE20K baseline (150 classes, reduce_zero_label),
# shrunk: the plain student and the (random) teacher of
# tiny_gdkd_ade20k.py. Data: $GDKD_TINY_DATA in the ADE20K layout.
_base_ = ['../../configs/baselines/deeplabv3_r18_ade20k.py',
          './tiny_seg.py']
model = {{_base_.tiny_deeplabv3}}
train_dataloader = {{_base_.tiny_ade_train_dataloader}}
val_dataloader = {{_base_.tiny_ade_val_dataloader}}
test_dataloader = {{_base_.tiny_ade_val_dataloader}}
train_cfg = {{_base_.tiny_train_cfg}}
param_scheduler = {{_base_.tiny_param_scheduler}}
default_hooks = {{_base_.tiny_default_hooks}}
env_cfg = {{_base_.tiny_env_cfg}}
