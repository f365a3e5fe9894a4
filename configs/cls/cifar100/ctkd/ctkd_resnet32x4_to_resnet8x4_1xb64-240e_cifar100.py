# CTKD (KD at a learned temperature), resnet32x4 -> resnet8x4 on CIFAR-100.
_base_ = ['../kd/kd_resnet32x4_to_resnet8x4_1xb64-240e_cifar100.py',
          '../../_base_/distillers/ctkd_cifar100.py']
model = dict(distill_losses=dict(_base_.ctkd_loss, _delete_=True))
