# The shipped DMAE UperNet config (ADE20K), shrunk: 64x64 crops of 8x8
# patches (pre-training had 4x4: the export resizes the position
# embedding), the 16-wide 12-block encoder of ./tiny_mim.py, BN heads.
_base_ = [
    '../../../configs/mim/dmae/benchmarks/dmae-vit-base_upernet_8xb2-amp-160k_ade20k-512x512.py',  # noqa: E501
]
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=(64, 64)),
    backbone=dict(img_size=(64, 64), patch_size=8, embed_dims=16,
                  num_layers=12, num_heads=2, mlp_ratio=2),
    neck=dict(embed_dim=16),
    decode_head=dict(in_channels=[16, 16, 16, 16], channels=16,
                     norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=16, channels=8, norm_cfg=norm_cfg),
    test_cfg=dict(mode='whole'))
