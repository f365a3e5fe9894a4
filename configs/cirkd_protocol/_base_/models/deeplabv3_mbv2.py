# CIRKD's student DeepLabV3-MobileNetV2 (winycg/CIRKD 91735ef,
# models/deeplabv3_mobile.py, models/base_models/mobilenetv2.py): the
# ImageNet MobileNetV2 features (ReLU6, no 1280-channel conv) at output
# stride 8 with CIRKD's dilations, CIRKD's ASPP head (width 128) on the
# 320-channel output, and no auxiliary head (train_*.py sets aux only for
# ResNet students). ImageNet weights: CIRKD's mobilenetv2-imagenet.pth,
# converted by tools/convert_cirkd.py.
_base_ = ['./deeplabv3_r18.py']
model = dict(
    pretrained='checkpoints/cirkd/mobilenetv2_imagenet.pth',
    backbone=dict(
        _delete_=True,
        type='CIRKDMobileNetV2',
        widen_factor=1.,
        strides=(1, 2, 2, 1, 1, 1, 1),
        dilations=(1, 1, 1, 2, 2, 4, 4),
        out_indices=(1, 2, 4, 6),
        norm_cfg={{_base_.norm_cfg}}),
    decode_head=dict(in_channels=320, channels=128),
    auxiliary_head=None)
