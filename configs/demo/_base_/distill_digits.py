# What the demo's distillation configs share: the DeepLabV3-R101 -> R18
# Cityscapes distillation config (../../kd/deeplabv3_r101_to_r18_cityscapes.py:
# SegDistiller, aux head distilled with 0.4, no warm-up) with the demo's data,
# models (PlainConvNet x16 student, x32 teacher) and schedule. Each method
# config sets the losses of its Cityscapes config (tests/test_configs.py
# checks that they match).
_base_ = ['../../kd/deeplabv3_r101_to_r18_cityscapes.py', './demo_digits.py']
model = dict(
    student={{_base_.demo_student}},
    teacher='{{ fileDirname }}/../plainnet32_teacher_digits.py',
    teacher_ckpt={{_base_.demo_teacher_ckpt}})
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
