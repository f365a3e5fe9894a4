# The shipped GDKD3+LS DeiT-Tiny config (CIFAR-100, ResNet-56 teacher fed
# 32-pixel images), shrunk: a 2-layer, 32-wide DeiT with the distillation
# token on 48-pixel inputs (patch 8: 6x6 tokens), the shipped pipelines
# at 48 pixels. The teacher checkpoint comes by --cfg-options
# model.teacher_ckpt=...; everything else is the shipped config's.
_base_ = ['../../configs/cls/cifar100/gdkd3_ls/'
          'gdkd3_ls_resnet56_to_deit-tiny-p16_1xb128-300e_cifar100-224px.py']
model = dict(student=dict(
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=32, num_layers=2,
                  num_heads=2, feedforward_channels=64),
        img_size=48, patch_size=8),
    head=dict(in_channels=32)))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(_base_.train_pipeline[0], scale=48)] + _base_.train_pipeline[1:]))
val_dataloader = dict(dataset=dict(pipeline=[
    dict(_base_.test_pipeline[0], scale=(48, 48)), dict(type='PackInputs')]))
test_dataloader = val_dataloader
