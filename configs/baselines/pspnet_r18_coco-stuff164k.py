# Undistilled student baseline:
# PSPNet-R18-D8 on COCO-Stuff 164k (171 classes), 512x512, MMSeg's 80k
# schedule (4 GPUs x 4 images).
# MMSeg's model zoo has no R18 model for this dataset: this is MMSeg's
# R50-D8 config with the R18 delta of its Cityscapes R18 config
# (configs/_base_/students.py). No published number: train it.
_base_ = [
    'mmseg::pspnet/pspnet_r50-d8_4xb4-80k_coco-stuff164k-512x512.py',  # noqa
    '../_base_/students.py',
    '../_base_/default_runtime.py',
]
model = {{_base_.r18_d8}}
