# MMSeg's OCRNet-HRNetV2p-W48 Cityscapes config (the teacher of
# configs/gdkd/ocrnet_hr48_to_deeplabv3_r18_cityscapes.py), shrunk.
_base_ = ['mmseg::ocrnet/ocrnet_hr48_4xb2-160k_cityscapes-512x1024.py',
          './tiny_seg.py']
model = {{_base_.tiny_ocrnet}}
