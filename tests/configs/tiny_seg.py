# Deltas that shrink a Cityscapes config to CPU-test size: 64x128 images
# from $GDKD_TINY_DATA (Cityscapes layout), a few iterations, no workers.
# Keys are prefixed with `tiny_` (bases may not share keys); a test config
# applies them with `key = {{_base_.tiny_key}}`.
# The path is read in Python, not pasted into this source by MMEngine's
# environment-variable substitution (a quote in it would be code);
# `import os` would make this a lazy-import config, hence __import__.
tiny_data_root = __import__('os').environ.get('GDKD_TINY_DATA',
                                              'data/cityscapes')
tiny_crop_size = (64, 128)
tiny_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
tiny_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
tiny_train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=tiny_data_root, pipeline=tiny_train_pipeline))
tiny_val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=tiny_data_root, pipeline=tiny_test_pipeline))
tiny_test_dataloader = tiny_val_dataloader
tiny_train_cfg = dict(type='IterBasedTrainLoop', max_iters=4, val_interval=4)
tiny_param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=4,
         by_epoch=False)
]
tiny_default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(by_epoch=False, interval=4))
tiny_env_cfg = dict(cudnn_benchmark=False)
tiny_norm_cfg = dict(type='BN', requires_grad=True)
# a DeepLabV3 with a ResNet-18 (V1c, D8) 8 channels wide
tiny_deeplabv3 = dict(
    pretrained=None,
    data_preprocessor=dict(size=tiny_crop_size),
    backbone=dict(base_channels=8, stem_channels=8, norm_cfg=tiny_norm_cfg),
    decode_head=dict(in_channels=64, channels=16, norm_cfg=tiny_norm_cfg),
    auxiliary_head=dict(in_channels=32, channels=8, norm_cfg=tiny_norm_cfg))
# a SegFormer with a MiT 8 channels wide, one block per stage (student),
# and 16 wide (teacher); no ImageNet weights; slide inference in
# 64x64 windows as MMSeg's 1024x1024 ones on Cityscapes
tiny_mit = dict(
    data_preprocessor=dict(size=tiny_crop_size),
    backbone=dict(embed_dims=8, num_layers=[1, 1, 1, 1], init_cfg=None),
    decode_head=dict(in_channels=[8, 16, 40, 64], channels=16,
                     norm_cfg=tiny_norm_cfg),
    test_cfg=dict(mode='slide', crop_size=(64, 64), stride=(48, 48)))
tiny_mit_teacher = dict(
    backbone=dict(embed_dims=16),
    decode_head=dict(in_channels=[16, 32, 80, 128]))
# ADE20K layout: MMSeg's ADE20K pipelines' reduce_zero_label, kept
tiny_ade_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
tiny_ade_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]
tiny_ade_train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=tiny_data_root,
                 pipeline=tiny_ade_train_pipeline))
tiny_ade_val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=tiny_data_root, pipeline=tiny_ade_test_pipeline))
# an OCRNet (MMSeg's HRNet-W48 config shrunk): HRNet branches 4/8/16/32
# wide, one block each; FCN soft-region stage + OCR stage, as the original
tiny_hr_channels = [4, 8, 16, 32]
tiny_ocrnet = dict(
    pretrained=None,
    data_preprocessor=dict(size=tiny_crop_size),
    backbone=dict(
        norm_cfg=tiny_norm_cfg,
        extra=dict(
            stage1=dict(num_blocks=(1, ), num_channels=(8, )),
            stage2=dict(num_blocks=(1, 1), num_channels=(4, 8)),
            stage3=dict(num_modules=1, num_blocks=(1, 1, 1),
                        num_channels=(4, 8, 16)),
            stage4=dict(num_modules=1, num_blocks=(1, 1, 1, 1),
                        num_channels=(4, 8, 16, 32)))),
    decode_head=[
        dict(type='FCNHead', in_channels=tiny_hr_channels, channels=60,
             input_transform='resize_concat', in_index=(0, 1, 2, 3),
             kernel_size=1, num_convs=1, concat_input=False,
             dropout_ratio=-1, num_classes=19, norm_cfg=tiny_norm_cfg,
             align_corners=False,
             loss_decode=dict(type='CrossEntropyLoss', loss_weight=0.4)),
        dict(type='OCRHead', in_channels=tiny_hr_channels,
             input_transform='resize_concat', in_index=(0, 1, 2, 3),
             channels=16, ocr_channels=8, dropout_ratio=-1,
             num_classes=19, norm_cfg=tiny_norm_cfg, align_corners=False,
             loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    ])
