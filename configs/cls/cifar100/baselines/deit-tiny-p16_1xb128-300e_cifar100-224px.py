# DeiT-Tiny (patch 16) trained alone on CIFAR-100 upsampled to 224: the
# "Base" column of the LS paper's ViT table (65.08 top-1, logs of
# lkhl/tiny-transformers configs/deit/deit-ti_c100_base.yaml).
# MMPretrain's DeiT-Tiny (mmpretrain::deit/deit-tiny_4xb256_in1k.py) with
# the yaml's deltas: 100 classes, drop path 0.1, plain CE (no label
# smoothing), no Mixup / CutMix, no gradient clipping.
_base_ = [
    '../../_base_/datasets/cifar100_bs128_224px_vit.py',
    '../../_base_/schedules/cifar100_adamw_300e_vit.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer', arch='deit-tiny', img_size=224,
        patch_size=16, drop_path_rate=0.1),  # DROP_PATH_RATE 0.1
    neck=None,
    head=dict(
        type='VisionTransformerClsHead', num_classes=100, in_channels=192,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)),
    # deit.py: Linear trunc-normal(0.02), LayerNorm (1, 0); the head
    # zero-initialised (VisionTransformerClsHead's default)
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=.02),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
    ])
# The student of the distillation configs: with DISTILLATION.ENABLE_LOGIT
# the upstream DeiT adds a distillation token and head (deit.py), which
# MMPretrain has as DistilledVisionTransformer + DeiTClsHead. Only those
# configs read this key.
student_with_dist_token = dict(
    model,
    backbone=dict(model['backbone'], type='DistilledVisionTransformer'),
    head=dict(model['head'], type='DeiTClsHead'))
