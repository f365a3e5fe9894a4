# CTKD (KD at a learned temperature), resnet110 -> resnet32 on CIFAR-100.
_base_ = ['../kd/kd_resnet110_to_resnet32_1xb64-240e_cifar100.py',
          '../../_base_/distillers/ctkd_cifar100.py']
model = dict(distill_losses=dict(_base_.ctkd_loss, _delete_=True))
