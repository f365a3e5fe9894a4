# Demo DKD: configs/dkd/deeplabv3_r101_to_r18_cityscapes.py with the demo's
# data and small models (PlainConvNet x16 student, x32 teacher); its
# distillation settings (losses, T, weights, warm-up) are inherited.
_base_ = ['../dkd/deeplabv3_r101_to_r18_cityscapes.py',
          './_base_/demo_digits.py']
model = dict(
    student={{_base_.demo_student}},
    teacher='{{ fileDirname }}/plainnet32_teacher_digits.py',
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
# the demo's dataset and backbone (gdkd_seg.demo) besides the core
custom_imports = dict(imports=['gdkd_seg', 'gdkd_seg.demo'],
                      allow_failed_imports=False)
