# CTKD (KD at a learned temperature) on CIFAR-100: the loss every pair of
# configs/cls/cifar100/ctkd puts in place of its KD pair's
# (`distill_losses=dict(_base_.ctkd_loss, _delete_=True)`).
# CTKD scripts/run_cifar_distill.sh (docs/losses.md §10): 0.1 CE +
# 0.9 KD at T = 1 + 20 sigmoid(theta), theta trained by the student's
# SGD; reversal factor lambda: cosine 0 -> -1 over epochs 1..10. The KD
# pair keeps its teacher, student, CE_w 0.1 and schedule (the CTKD code
# also trains ShuffleNet/MobileNet students at LR 0.01).
ctkd_loss = dict(
    type='CTKDLoss',
    loss=dict(type='KDLoss', loss_weight=0.9),
    t_start=1.0,
    t_end=20.0,
    lambda_max=0.0,
    lambda_min=-1.0,
    decay_loops=10,
    by='epoch')
