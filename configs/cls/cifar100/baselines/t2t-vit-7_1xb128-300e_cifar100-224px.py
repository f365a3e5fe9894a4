# T2T-ViT-7 trained alone on CIFAR-100 upsampled to 224: the "Base"
# column of the LS paper's ViT table (69.37 top-1, tiny-transformers
# configs/t2t/t2t-7_c100_base.yaml): Performer T2T module (token width 64,
# kernels 7/3/3, strides 4/2/2), width 256, 7 layers, 4 heads, MLP ratio
# 2, no qkv bias, sinusoidal position embedding, drop path 0.1.
_base_ = [
    '../../_base_/datasets/cifar100_bs128_224px_vit.py',
    '../../_base_/schedules/cifar100_adamw_300e_vit.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    type='ImageClassifier',
    backbone=dict(type='PerformerT2TViT', arch='t2t-vit-7', img_size=224,
                  drop_path_rate=0.1),
    neck=None,
    # t2t_vit.py: the head is a Linear with N(0, 0.02) weights
    head=dict(
        type='VisionTransformerClsHead', num_classes=100, in_channels=256,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0), topk=(1, 5),
        init_cfg=dict(type='Normal', layer='Linear', std=.02)),
    # t2t_vit.py _init_weights: Linear N(0, 0.02), LayerNorm (1, 0)
    init_cfg=[
        dict(type='Normal', layer='Linear', std=.02),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
    ])
