# Our shipped DeepLabV3-R101 -> R18 ADE20K GDKD config, shrunk; the
# teacher checkpoint comes by --cfg-options model.teacher_ckpt=...
_base_ = ['../../configs/gdkd/deeplabv3_r101_to_r18_ade20k.py',
          './tiny_seg.py']
model = dict(
    student={{_base_.tiny_deeplabv3}},
    teacher='{{ fileDirname }}/tiny_deeplabv3_ade20k.py')
train_dataloader = {{_base_.tiny_ade_train_dataloader}}
val_dataloader = {{_base_.tiny_ade_val_dataloader}}
test_dataloader = {{_base_.tiny_ade_val_dataloader}}
train_cfg = {{_base_.tiny_train_cfg}}
param_scheduler = {{_base_.tiny_param_scheduler}}
default_hooks = {{_base_.tiny_default_hooks}}
env_cfg = {{_base_.tiny_env_cfg}}
