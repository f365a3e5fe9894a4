# MMSeg's SegFormer MiT-B0 Cityscapes config (our baseline), shrunk: the
# plain student of tiny_segformer_gdkd3.py.
_base_ = ['../../configs/baselines/segformer_mit-b0_cityscapes.py',
          './tiny_seg.py']
model = {{_base_.tiny_mit}}
train_dataloader = {{_base_.tiny_train_dataloader}}
val_dataloader = {{_base_.tiny_val_dataloader}}
test_dataloader = {{_base_.tiny_test_dataloader}}
# what mmseg.apis.inference_model reads (not a 2048x1024 resize)
test_pipeline = {{_base_.tiny_test_pipeline}}
train_cfg = {{_base_.tiny_train_cfg}}
param_scheduler = {{_base_.tiny_param_scheduler}}
default_hooks = {{_base_.tiny_default_hooks}}
env_cfg = {{_base_.tiny_env_cfg}}
