# The DMAE-distilled ViT-B as the backbone of UperNet on ADE20K: MMSeg's
# MAE recipe unchanged (mmseg::mae, 48.13 mIoU with MAE's own ViT-B), only
# the pre-trained weights differ. No published DMAE number; not trained
# here. Segmentation needs no MMPretrain. The weights, matched key for key
# to this backbone (docs "From pre-training to segmentation"):
#   python tools/export_vit_backbone.py CKPT \
#       pretrain/dmae_vit-base_upernet-512.pth --config THIS_CONFIG
# with CKPT the last checkpoint of
# ../dmae_vit-large-to-base-p16_8xb512-amp-coslr-100e_in1k.py.
_base_ = [
    'mmseg::mae/mae-base_upernet_8xb2-amp-160k_ade20k-512x512.py',
    '../../../_base_/default_runtime.py',
]
model = dict(pretrained='pretrain/dmae_vit-base_upernet-512.pth')
