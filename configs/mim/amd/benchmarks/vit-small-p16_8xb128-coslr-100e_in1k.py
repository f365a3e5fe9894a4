# Fine-tuning the AMD-distilled ViT-S on ImageNet-1K: 82.1 top-1
# (github.com/MCG-NJU/AMD README). Not trained here. AMD's image
# fine-tuning recipe is not in its repository: MMPretrain's MAE ViT-B
# recipe with the ViT-S encoder ('deit-small': 384-d, 12 blocks).
_base_ = [
    'mmpretrain::mae/benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py',
    '../../_base_/mim_runtime.py',
]
model = dict(
    backbone=dict(
        arch='deit-small',
        init_cfg=dict(
            checkpoint='work_dirs/amd_vit-base-to-small-p16_8xb512-amp-coslr-800e_in1k/epoch_800.pth')),  # noqa: E501
    head=dict(in_channels=384))
