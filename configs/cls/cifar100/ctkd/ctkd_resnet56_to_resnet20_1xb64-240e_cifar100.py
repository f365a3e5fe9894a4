# CTKD (KD at a learned temperature), resnet56 -> resnet20 on CIFAR-100.
_base_ = ['../kd/kd_resnet56_to_resnet20_1xb64-240e_cifar100.py',
          '../../_base_/distillers/ctkd_cifar100.py']
model = dict(distill_losses=dict(_base_.ctkd_loss, _delete_=True))
