# CTKD (KD at a learned temperature), vgg13 -> mobilenet-v2 on CIFAR-100.
_base_ = ['../kd/kd_vgg13_to_mobilenet-v2_1xb64-240e_cifar100.py',
          '../../_base_/distillers/ctkd_cifar100.py']
model = dict(distill_losses=dict(_base_.ctkd_loss, _delete_=True))
