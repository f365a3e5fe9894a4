# mobilenet-v2 for CIFAR-100 (the distillation benchmark's model zoo).
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CIFARMobileNetV2', widen_factor=0.5),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=1280,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
