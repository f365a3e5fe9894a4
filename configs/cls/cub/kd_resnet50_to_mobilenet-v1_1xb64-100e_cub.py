# KD, resnet50 -> mobilenet-v1, transfer learning on cub.
# Teacher: fine-tuned with ./baselines/resnet50_1xb64-100e_cub.py
# (docs/classification.md); the student starts from ImageNet weights as
# its baseline does.
_base_ = ['./baselines/mobilenet-v1_1xb64-100e_cub.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/baselines/resnet50_1xb64-100e_cub.py',
    teacher_ckpt='work_dirs/resnet50_1xb64-100e_cub/epoch_100.pth',
    ce_weight=0.5,  # GDKD repo configs/TL/tiny-imagenet/r34_r18/kd.yaml
    # KD_w 0.5, T 1 (as ImageNet, docs/losses.md §2)
    distill_losses=dict(type='KDLoss', temperature=1.0, loss_weight=0.5),
)
