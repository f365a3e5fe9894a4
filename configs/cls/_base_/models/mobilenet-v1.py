# MobileNetV1 on ImageNet (the ResNet50 -> MobileNetV1 student).
model = dict(
    type='ImageClassifier',
    backbone=dict(type='MobileNetV1'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=1024,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
