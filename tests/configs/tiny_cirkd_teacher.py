# CIRKD's teacher of configs/cirkd_protocol (DeepLabV3, deep-stem
# ResNet-101) 8 channels wide: the model a tiny CIRKD teacher is
# converted into (tests/e2e/test_cirkd_protocol.py).
_base_ = ['../../configs/cirkd_protocol/_base_/models/deeplabv3_r101.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    data_preprocessor=dict(size=(64, 128)),
    backbone=dict(base_channels=8, stem_channels=16, norm_cfg=norm_cfg),
    decode_head=dict(in_channels=256, channels=16, norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=128, channels=32, norm_cfg=norm_cfg))
