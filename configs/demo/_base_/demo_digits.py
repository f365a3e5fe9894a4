# Deltas that turn a Cityscapes config into the offline demo (tools/demo.py):
# 64x128 images of real handwritten digits on real photos (11 classes,
# Cityscapes layout, built by gdkd_seg.datasets.build_demo_digits) and
# DeepLabV3 models small enough to train on a CPU in about a minute.
# Keys are prefixed with `demo_` (bases may not share keys); a demo config
# applies them with `key = {{_base_.demo_key}}`.
demo_data_root = '{{$GDKD_DEMO_DATA:data/demo_digits}}'
demo_crop_size = (64, 128)
# digits are not mirror-symmetric, so no flip; images are already 64x128
demo_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
demo_test_pipeline = demo_train_pipeline
demo_train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type='DemoDigitsDataset',
        data_root=demo_data_root,
        pipeline=demo_train_pipeline))
demo_val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type='DemoDigitsDataset',
        data_root=demo_data_root,
        pipeline=demo_test_pipeline))
demo_test_dataloader = demo_val_dataloader
# tools/demo.py overrides max_iters/val_interval/end for its quick mode
demo_iters = 300
demo_train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=demo_iters, val_interval=100)
# tiny from-scratch nets on a short schedule want a larger LR than the
# Cityscapes 0.01 for ImageNet-pretrained backbones: with lr 0.05 (and with
# AdamW 3e-3) the teacher still predicted only background after 300 iters;
# lr 0.1 was the first setting that left that plateau (docs/demo.md)
demo_optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
demo_param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=demo_iters,
         by_epoch=False)
]
demo_default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(by_epoch=False, interval=demo_iters, max_keep_ckpts=1))
demo_env_cfg = dict(cudnn_benchmark=False)
demo_norm_cfg = dict(type='BN', requires_grad=True)
demo_num_classes = 11
# student: DeepLabV3 with a ResNet-18 (V1c, D8) 8 channels wide (0.22 M)
demo_student = dict(
    pretrained=None,
    data_preprocessor=dict(size=demo_crop_size),
    backbone=dict(base_channels=8, stem_channels=8, norm_cfg=demo_norm_cfg),
    decode_head=dict(in_channels=64, channels=16,
                     num_classes=demo_num_classes, norm_cfg=demo_norm_cfg),
    auxiliary_head=dict(in_channels=32, channels=8,
                        num_classes=demo_num_classes,
                        norm_cfg=demo_norm_cfg))
# teacher: the same DeepLabV3-R18-D8, 16 channels wide (0.88 M): a 4x
# capacity gap that still trains in a few minutes on a CPU
demo_teacher = dict(
    pretrained=None,
    data_preprocessor=dict(size=demo_crop_size),
    backbone=dict(base_channels=16, stem_channels=16,
                  norm_cfg=demo_norm_cfg),
    decode_head=dict(in_channels=128, channels=32,
                     num_classes=demo_num_classes, norm_cfg=demo_norm_cfg),
    auxiliary_head=dict(in_channels=64, channels=16,
                        num_classes=demo_num_classes,
                        norm_cfg=demo_norm_cfg))
# tools/demo.py passes the teacher it trained with --cfg-options
demo_teacher_ckpt = '{{$GDKD_DEMO_TEACHER:work_dirs/demo/teacher.pth}}'
