# Demo teacher: MMSeg's DeepLabV3-R101-D8 Cityscapes config (the teacher of
# configs/*/deeplabv3_r101_to_r18_cityscapes.py), shrunk for the demo data.
_base_ = [
    'mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py',  # noqa
    './_base_/demo_digits.py'
]
custom_imports = dict(imports=['gdkd_seg'], allow_failed_imports=False)
model = {{_base_.demo_teacher}}
train_dataloader = {{_base_.demo_train_dataloader}}
val_dataloader = {{_base_.demo_val_dataloader}}
test_dataloader = {{_base_.demo_test_dataloader}}
train_cfg = {{_base_.demo_train_cfg}}
optim_wrapper = {{_base_.demo_optim_wrapper}}
param_scheduler = {{_base_.demo_param_scheduler}}
default_hooks = {{_base_.demo_default_hooks}}
env_cfg = {{_base_.demo_env_cfg}}
