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
