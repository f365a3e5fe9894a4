# wrn-40-1 for CIFAR-100 (the distillation benchmark's model zoo).
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CIFARWideResNet', depth=40, widen_factor=1),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
