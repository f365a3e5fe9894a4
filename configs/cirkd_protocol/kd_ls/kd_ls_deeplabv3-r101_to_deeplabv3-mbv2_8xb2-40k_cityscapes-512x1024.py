# KD + logit standardization, DeepLabV3-MobileNetV2 student: each pixel's
# logits Z-scored over the 19 classes before the loss (docs/losses.md §6). No
# upstream setting exists for segmentation: KD's temperature and weight,
# untuned.
_base_ = [
    '../kd/kd_deeplabv3-r101_to_deeplabv3-mbv2_8xb2-40k_cityscapes-512x1024.py'  # noqa: E501
]
model = dict(
    distill_losses=[dict(_base_.model.distill_losses[0], logit_stand=True)])
