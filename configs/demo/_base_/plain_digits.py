# What the demo's undistilled configs share: our DeepLabV3-R18-D8
# Cityscapes config with the demo's data, the demo student (PlainConvNet
# x16) and the students' schedule.
_base_ = ['../../baselines/deeplabv3_r18_cityscapes.py', './demo_digits.py']
model = {{_base_.demo_student}}
train_pipeline = {{_base_.demo_train_pipeline}}
test_pipeline = {{_base_.demo_test_pipeline}}
train_dataloader = {{_base_.demo_train_dataloader}}
val_dataloader = {{_base_.demo_val_dataloader}}
test_dataloader = {{_base_.demo_test_dataloader}}
train_cfg = {{_base_.demo_train_cfg}}
optim_wrapper = {{_base_.demo_optim_wrapper}}
param_scheduler = {{_base_.demo_param_scheduler}}
default_hooks = {{_base_.demo_default_hooks}}
env_cfg = {{_base_.demo_env_cfg}}
custom_imports = {{_base_.demo_custom_imports}}
