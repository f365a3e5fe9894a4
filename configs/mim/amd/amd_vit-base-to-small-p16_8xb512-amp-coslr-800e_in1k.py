# AMD, a frozen MAE ViT-B teaching an MAE ViT-S (384-d, 12 blocks, 6
# heads: MMPretrain's 'deit-small' arch), 800 epochs on ImageNet-1K;
# ViT-S 82.1 top-1 after fine-tuning (github.com/MCG-NJU/AMD README,
# MODEL_ZOO.md). Not trained here.
# The ViT-L -> ViT-B config with a ViT-B teacher and a ViT-S student (see
# its sources). Not in the repository, hence our choices: the blocks
# pair at the same relative depth as its ViT-L pairs ((6, 12) <- (6, 12),
# 1-indexed), and the student keeps MMPretrain's MAE decoder (512-d x 8).
_base_ = [
    './amd_vit-large-to-base-p16_8xb512-amp-coslr-800e_in1k.py',
]
model = dict(
    _base_.mae_vit_base,
    backbone=dict(arch='deit-small'),
    neck=dict(embed_dim=384),
    student_layers=(5, 11),
    teacher_layers=(5, 11))
