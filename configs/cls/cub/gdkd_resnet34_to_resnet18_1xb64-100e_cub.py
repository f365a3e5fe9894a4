# GDKD, resnet34 -> resnet18, transfer learning on cub.
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
    ce_weight=1.0,  # GDKD repo configs/TL/<dataset>/<pair>/gdkd.yaml
    warmup_epochs=1,  # W 1, docs/losses.md §4 "TL" row
    # k 5, T 1, w0/w1/w2 of the TL configs (docs/losses.md §4)
    distill_losses=dict(
        type='GDKDLoss', k=5, w0=0.5, w1=1.0,
        w2=1.0, temperature=1.0),
)
