# KD for transfer learning (configs/cls/tiny-imagenet/kd, configs/cls/cub/kd):
# the GDKD repo's configs/TL/<dataset>/<pair>/kd.yaml, CE_w 0.5, KD_w 0.5,
# T 1: ImageNet's settings.
_base_ = ['./kd_imagenet.py']
