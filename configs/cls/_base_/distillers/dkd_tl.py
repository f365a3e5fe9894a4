# DKD for transfer learning (configs/cls/tiny-imagenet/dkd,
# configs/cls/cub/dkd): the GDKD repo's configs/TL/<dataset>/<pair>/dkd.yaml,
# CE_w 1, W 1, alpha 1 (unset upstream), T 1: ImageNet's settings; a pair
# adds its beta.
_base_ = ['./dkd_imagenet.py']
