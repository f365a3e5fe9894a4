# Our shipped SegFormer MiT-B4 -> MiT-B0 GDKD3 config, shrunk: tiny MiT
# student and teacher; the teacher checkpoint comes by --cfg-options
# model.teacher_ckpt=...
_base_ = ['../../configs/gdkd3/segformer_mit-b4_to_mit-b0_cityscapes.py',
          './tiny_seg.py']
model = dict(
    student={{_base_.tiny_mit}},
    teacher='{{ fileDirname }}/tiny_segformer_teacher.py')
train_dataloader = {{_base_.tiny_train_dataloader}}
val_dataloader = {{_base_.tiny_val_dataloader}}
test_dataloader = {{_base_.tiny_test_dataloader}}
train_cfg = {{_base_.tiny_train_cfg}}
param_scheduler = {{_base_.tiny_param_scheduler}}
default_hooks = {{_base_.tiny_default_hooks}}
env_cfg = {{_base_.tiny_env_cfg}}
