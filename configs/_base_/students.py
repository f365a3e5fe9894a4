# Students that MMSeg's model zoo has for Cityscapes only. The R18-D8
# delta turns an R50-D8 DeepLabV3 / PSPNet config into R18-D8 exactly as
# MMSeg's own `deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py` and
# `pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py` do; applied with
# `model = {{_base_.r18_d8}}` over an R50-D8 config of another dataset.
r18_d8 = dict(
    pretrained='open-mmlab://resnet18_v1c',
    backbone=dict(depth=18),
    decode_head=dict(in_channels=512, channels=128),
    auxiliary_head=dict(in_channels=256, channels=64))
