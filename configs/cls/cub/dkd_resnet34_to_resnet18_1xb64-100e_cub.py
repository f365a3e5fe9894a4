# DKD, resnet34 -> resnet18, transfer learning on cub.
# Teacher: fine-tuned with ./baselines/resnet34_1xb64-100e_cub.py
# (docs/classification.md); the student starts from ImageNet weights as
# its baseline does.
_base_ = ['./baselines/resnet18_1xb64-100e_cub.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/baselines/resnet34_1xb64-100e_cub.py',
    teacher_ckpt='work_dirs/resnet34_1xb64-100e_cub/epoch_100.pth',
    ce_weight=1.0,  # GDKD repo configs/TL/tiny-imagenet/r34_r18/dkd.yaml
    warmup_epochs=1,
    # alpha 1 (unset upstream), beta 0.5, T 1
    distill_losses=dict(
        type='DKDLoss', alpha=1.0, beta=0.5, temperature=1.0),
)
# distillation schedule of the GDKD repo's TL configs: batch 64
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.0025, momentum=0.9, weight_decay=0.001))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[40, 80], gamma=0.1)
auto_scale_lr = dict(base_batch_size=64)
