# Undistilled student baseline:
# DeepLabV3-R18-D8 on ADE20K (150 classes; `reduce_zero_label`: label 0,
# "other", becomes 255 and is ignored), 512x512, MMSeg's 80k schedule
# (4 GPUs x 4 images; CIRKDv2 also runs ADE20K for 80k at batch 16).
# MMSeg's model zoo has no R18 model for this dataset: this is MMSeg's
# R50-D8 config with the R18 delta of its Cityscapes R18 config
# (configs/_base_/students.py). No published number: train it.
_base_ = [
    'mmseg::deeplabv3/deeplabv3_r50-d8_4xb4-80k_ade20k-512x512.py',  # noqa
    '../_base_/students.py',
    '../_base_/default_runtime.py',
]
model = {{_base_.r18_d8}}
