# CIRKD's student PSPNet-ResNet18 (winycg/CIRKD 91735ef, models/pspnet.py):
# bins 1, 2, 3, 6 to 512 / 4 = 128 channels each, upsampled with
# align_corners=True, then a 3x3 conv 1024 -> 128, dropout 0.1 and the
# classifier: MMSeg's PSPHead(channels=128) weight for weight
# (CIRKDPSPHead: with CIRKD's element-wise dropout).
_base_ = ['./deeplabv3_r18.py']
model = dict(
    decode_head=dict(
        _delete_=True,
        type='CIRKDPSPHead',
        in_channels=512,
        in_index=3,
        channels=128,
        pool_scales=(1, 2, 3, 6),
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg={{_base_.norm_cfg}},
        align_corners=True,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)))
