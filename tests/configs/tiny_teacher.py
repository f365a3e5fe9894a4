# Plain MMSeg DeepLabV3 (our undistilled baseline config), shrunk.
_base_ = ['../../configs/baselines/deeplabv3_r18_cityscapes.py',
          './tiny_seg.py']
model = {{_base_.tiny_deeplabv3}}
train_dataloader = {{_base_.tiny_train_dataloader}}
val_dataloader = {{_base_.tiny_val_dataloader}}
test_dataloader = {{_base_.tiny_test_dataloader}}
train_cfg = {{_base_.tiny_train_cfg}}
param_scheduler = {{_base_.tiny_param_scheduler}}
default_hooks = {{_base_.tiny_default_hooks}}
env_cfg = {{_base_.tiny_env_cfg}}
