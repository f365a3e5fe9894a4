# CTKD (KD at a learned temperature), resnet32x4 -> shufflenet-v2 on CIFAR-100.
_base_ = ['../kd/kd_resnet32x4_to_shufflenet-v2_1xb64-240e_cifar100.py',
          '../../_base_/distillers/ctkd_cifar100.py']
model = dict(distill_losses=dict(_base_.ctkd_loss, _delete_=True))
