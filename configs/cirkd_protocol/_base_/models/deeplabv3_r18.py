# CIRKD's student DeepLabV3-ResNet18 (winycg/CIRKD 91735ef,
# models/deeplabv3.py, models/base_models/resnet.py): the deep-stem
# ResNet-18 with CIRKD's dilated BasicBlocks, CIRKD's ASPP head (width
# 128), the aux FCN head on layer3 (CE weight 0.4), ImageNet weights
# from CIRKD's resnet18-imagenet.pth (converted by tools/convert_cirkd.py).
_base_ = ['./deeplabv3_r101.py']
model = dict(
    pretrained='checkpoints/cirkd/resnet18_imagenet.pth',
    backbone=dict(type='CIRKDResNetV1c', depth=18),
    decode_head=dict(in_channels=512, channels=128),
    auxiliary_head=dict(in_channels=256, channels=64))
