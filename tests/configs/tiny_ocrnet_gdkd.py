# Our shipped OCRNet-HRNet -> DeepLabV3-R18 GDKD config, shrunk: tiny
# student, tiny OCRNet teacher; the teacher checkpoint comes by
# --cfg-options model.teacher_ckpt=...
_base_ = ['../../configs/gdkd/ocrnet_hr48_to_deeplabv3_r18_cityscapes.py',
          './tiny_seg.py']
model = dict(
    student={{_base_.tiny_deeplabv3}},
    teacher='{{ fileDirname }}/tiny_ocrnet_teacher.py')
train_dataloader = {{_base_.tiny_train_dataloader}}
val_dataloader = {{_base_.tiny_val_dataloader}}
test_dataloader = {{_base_.tiny_test_dataloader}}
train_cfg = {{_base_.tiny_train_cfg}}
param_scheduler = {{_base_.tiny_param_scheduler}}
default_hooks = {{_base_.tiny_default_hooks}}
env_cfg = {{_base_.tiny_env_cfg}}
