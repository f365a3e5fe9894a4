# The CIRKD-protocol GDKD config (DeepLabV3-R101 -> DeepLabV3-R18), shrunk:
# the protocol's pipelines (random scale, crop, flip; whole-image eval),
# schedule shape and best-checkpoint hook, with 64x128 crops, 8-wide
# CIRKD student and teacher, 4 iterations validated every 2. The teacher
# checkpoint and the student's ImageNet weights are converted CIRKD
# checkpoints, given by --cfg-options (tests/e2e/test_cirkd_protocol.py).
# (tiny_seg.py's values, restated: its other keys would lengthen the
# config text MMEngine formats into every checkpoint)
_base_ = [
    '../../configs/cirkd_protocol/gdkd/gdkd_deeplabv3-r101_to_deeplabv3-r18_8xb2-40k_cityscapes-512x1024.py'  # noqa: E501
]
# read in Python, not substituted into this text (see tiny_seg.py)
data_root = __import__('os').environ.get('GDKD_TINY_DATA', 'data/cityscapes')
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    student=dict(
        pretrained=None,
        data_preprocessor=dict(size=(64, 128)),
        backbone=dict(base_channels=8, stem_channels=16, norm_cfg=norm_cfg),
        decode_head=dict(in_channels=64, channels=16, norm_cfg=norm_cfg),
        auxiliary_head=dict(in_channels=32, channels=8,
                            norm_cfg=norm_cfg)),
    teacher='{{ fileDirname }}/tiny_cirkd_teacher.py')
# the protocol's train pipeline with a 64x128 crop
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        pipeline=[
            *_base_.train_pipeline[:3],
            dict(type='RandomCrop', crop_size=(64, 128), cat_max_ratio=1.0),
            *_base_.train_pipeline[4:]
        ]))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=4, val_interval=2)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=4,
         by_epoch=False)
]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
env_cfg = dict(cudnn_benchmark=False)
