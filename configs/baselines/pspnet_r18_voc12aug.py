# Undistilled student baseline:
# PSPNet-R18-D8 on Pascal VOC 2012 + aug (21 classes), 512x512, MMSeg's
# 40k schedule (4 GPUs x 4 images).
# MMSeg's model zoo has no R18 model for this dataset: this is MMSeg's
# R50-D8 config with the R18 delta of its Cityscapes R18 config
# (configs/_base_/students.py). No published number: train it.
_base_ = [
    'mmseg::pspnet/pspnet_r50-d8_4xb4-40k_voc12aug-512x512.py',  # noqa
    '../_base_/students.py',
    '../_base_/default_runtime.py',
]
model = {{_base_.r18_d8}}
