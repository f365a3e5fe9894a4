# CTKD + logit standardization, resnet110 -> resnet32 on CIFAR-100.
_base_ = ['../ctkd/ctkd_resnet110_to_resnet32_1xb64-240e_cifar100.py']
model = dict(
    # LS repo CTKD/ CIFAR script (docs/losses.md §10): Z-score both
    # logits, then divide by the learned T; KD weight 9, CE 0.1
    distill_losses=dict(loss=dict(logit_stand=True, loss_weight=9.0)))
