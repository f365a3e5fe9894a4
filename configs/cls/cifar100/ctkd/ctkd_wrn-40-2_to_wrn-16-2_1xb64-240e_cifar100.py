# CTKD (KD at a learned temperature), wrn-40-2 -> wrn-16-2 on CIFAR-100.
_base_ = ['../kd/kd_wrn-40-2_to_wrn-16-2_1xb64-240e_cifar100.py',
          '../../_base_/distillers/ctkd_cifar100.py']
model = dict(distill_losses=dict(_base_.ctkd_loss, _delete_=True))
