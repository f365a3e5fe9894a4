# KD, resnet34 -> resnet18, transfer learning on tiny-imagenet.
# Teacher: fine-tuned with ./baselines/resnet34_1xb32-100e_tinyimagenet.py
# (docs/classification.md); the student starts from ImageNet weights as
# its baseline does.
_base_ = ['./baselines/resnet18_1xb64-100e_tinyimagenet.py']
model = dict(
    _delete_=True,
    type='ClsDistiller',
    student={{_base_.model}},
    teacher='{{ fileDirname }}/baselines/resnet34_1xb32-100e_tinyimagenet.py',
    teacher_ckpt='work_dirs/resnet34_1xb32-100e_tinyimagenet/epoch_100.pth',
    ce_weight=0.5,  # GDKD repo configs/TL/tiny-imagenet/r34_r18/kd.yaml
    # KD_w 0.5, T 1 (as ImageNet, docs/losses.md §2)
    distill_losses=dict(type='KDLoss', temperature=1.0, loss_weight=0.5),
)
