# The shipped DMAE fine-tuning config, shrunk to the 16-wide 12-block
# encoder of ./tiny_mim.py on 32x32 images, 4 classes.
_base_ = [
    '../../../configs/mim/dmae/benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py',  # noqa: E501
]
model = dict(
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=16, num_layers=12, num_heads=2,
                  feedforward_channels=32),
        img_size=32, patch_size=8),
    head=dict(in_channels=16, num_classes=4))
