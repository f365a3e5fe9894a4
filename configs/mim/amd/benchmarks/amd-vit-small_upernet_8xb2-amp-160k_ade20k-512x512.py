# The AMD-distilled ViT-S (384-d, 12 blocks, 6 heads) as the backbone of
# UperNet on ADE20K. MMSeg's MAE recipe with the widths scaled to 384 (our
# choice: MMSeg has no ViT-S MAE config); same blocks tapped (4, 6, 8,
# 12), same schedule and layer decay. Not trained here. The weights:
#   python tools/export_vit_backbone.py CKPT \
#       pretrain/amd_vit-small_upernet-512.pth --config THIS_CONFIG
# with CKPT the last checkpoint of
# ../amd_vit-base-to-small-p16_8xb512-amp-coslr-800e_in1k.py.
_base_ = [
    'mmseg::mae/mae-base_upernet_8xb2-amp-160k_ade20k-512x512.py',
    '../../../_base_/default_runtime.py',
]
model = dict(
    pretrained='pretrain/amd_vit-small_upernet-512.pth',
    backbone=dict(embed_dims=384, num_heads=6),
    neck=dict(embed_dim=384),
    decode_head=dict(in_channels=[384, 384, 384, 384], channels=384),
    auxiliary_head=dict(in_channels=384))
