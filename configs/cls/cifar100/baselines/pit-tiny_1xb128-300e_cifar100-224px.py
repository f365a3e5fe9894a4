# PiT-Tiny trained alone on CIFAR-100 upsampled to 224: the "Base" column
# of the LS paper's ViT table (73.58 top-1, tiny-transformers
# configs/pit/pit-ti_c100_base.yaml): patch 16, stride 8, widths
# 64/128/256, depths 2/6/4, heads 2/4/8, MLP ratio 4, drop path 0.1.
_base_ = [
    '../../_base_/datasets/cifar100_bs128_224px_vit.py',
    '../../_base_/schedules/cifar100_adamw_300e_vit.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    type='ImageClassifier',
    backbone=dict(type='PiT', arch='tiny', img_size=224,
                  drop_path_rate=0.1),
    neck=None,
    # pit.py initialises only LayerNorms, the class token and the position
    # embedding; Linear and Conv2d layers keep PyTorch's defaults
    head=dict(
        type='VisionTransformerClsHead', num_classes=100, in_channels=256,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0), topk=(1, 5),
        init_cfg=None),
    init_cfg=dict(type='Constant', layer='LayerNorm', val=1., bias=0.))
