# wrn-40-2 for CIFAR-100 (the distillation benchmark's model zoo).
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CIFARWideResNet', depth=40, widen_factor=2),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
