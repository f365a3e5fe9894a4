# PVT-Tiny trained alone on CIFAR-100 upsampled to 224: the "Base" column
# of the LS paper's ViT table (69.22 top-1, tiny-transformers
# configs/pvt/pvt-ti_c100_base.yaml): patches 4/2/2/2, widths
# 64/128/320/512, depths 2/2/2/2, heads 1/2/5/8, MLP ratios 8/8/4/4,
# spatial reductions 8/4/2/1, drop path 0.1.
_base_ = [
    '../../_base_/datasets/cifar100_bs128_224px_vit.py',
    '../../_base_/schedules/cifar100_adamw_300e_vit.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    type='ImageClassifier',
    backbone=dict(type='PVT', arch='tiny', img_size=224,
                  drop_path_rate=0.1),
    neck=None,
    head=dict(
        type='VisionTransformerClsHead', num_classes=100, in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0), topk=(1, 5),
        init_cfg=dict(type='TruncNormal', layer='Linear', std=.02)),
    # pvt.py _init_weights: Linear trunc-normal(0.02), LayerNorm (1, 0)
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=.02),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
    ])
