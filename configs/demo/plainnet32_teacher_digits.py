# Demo teacher: the demo baseline with a model twice as wide as the demo
# student's (4x the parameters), trained longer than the students.
_base_ = ['./_base_/plain_digits.py']
model = {{_base_.demo_teacher}}
train_cfg = {{_base_.demo_teacher_train_cfg}}
param_scheduler = {{_base_.demo_teacher_param_scheduler}}
default_hooks = {{_base_.demo_teacher_default_hooks}}
