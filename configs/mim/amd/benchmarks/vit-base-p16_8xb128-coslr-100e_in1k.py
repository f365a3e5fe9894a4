# Fine-tuning the AMD-distilled ViT-B on ImageNet-1K: 84.6 top-1
# (github.com/MCG-NJU/AMD README). Not trained here. AMD's image
# fine-tuning recipe is not in its repository (video only): this is
# MMPretrain's MAE ViT-B recipe unchanged.
_base_ = [
    'mmpretrain::mae/benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py',
    '../../_base_/mim_runtime.py',
]
model = dict(
    backbone=dict(
        init_cfg=dict(
            checkpoint='work_dirs/amd_vit-large-to-base-p16_8xb512-amp-coslr-800e_in1k/epoch_800.pth')))  # noqa: E501
