# GDKD for transfer learning (configs/cls/tiny-imagenet/gdkd,
# configs/cls/cub/gdkd): the GDKD repo's
# configs/TL/<dataset>/<pair>/gdkd.yaml, CE_w 1, W 1 (docs/losses.md §4
# "TL" row), k 5, w0 0.5, T 1: ImageNet's settings; a pair adds w1 / w2.
_base_ = ['./gdkd_imagenet.py']
