# CTKD (KD at a learned temperature), resnet56 -> resnet20 on CIFAR-100.
# A delta over the KD config: same teacher, student, CE_w 0.1, schedule
# (the CTKD code also trains ShuffleNet/MobileNet students at LR 0.01).
_base_ = ['../kd/kd_resnet56_to_resnet20_1xb64-240e_cifar100.py']
model = dict(
    # CTKD scripts/run_cifar_distill.sh (docs/losses.md §10): 0.1 CE +
    # 0.9 KD at T = 1 + 20 sigmoid(theta), theta trained by the student's
    # SGD; reversal factor lambda: cosine 0 -> -1 over epochs 1..10
    distill_losses=dict(
        _delete_=True,
        type='CTKDLoss',
        loss=dict(type='KDLoss', loss_weight=0.9),
        t_start=1.0,
        t_end=20.0,
        lambda_max=0.0,
        lambda_min=-1.0,
        decay_loops=10,
        by='epoch'),
)
