# The frozen MAE teachers: MMPretrain's own MAE configs and model-zoo
# weights (mmpretrain/.mim/configs/mae/metafile.yml), 1600 epochs on
# ImageNet-1K. Only the encoder runs, up to the deepest block a loss uses.
mae_vit_large = dict(
    teacher='mmpretrain::mae/mae_vit-large-p16_8xb512-amp-coslr-1600e_in1k.py',  # noqa: E501
    teacher_ckpt='https://download.openmmlab.com/mmselfsup/1.x/mae/mae_vit-large-p16_8xb512-fp16-coslr-1600e_in1k/mae_vit-large-p16_8xb512-fp16-coslr-1600e_in1k_20220825-cc7e98c9.pth',  # noqa: E501
    teacher_dims=1024)
mae_vit_base = dict(
    teacher='mmpretrain::mae/mae_vit-base-p16_8xb512-amp-coslr-1600e_in1k.py',  # noqa: E501
    teacher_ckpt='https://download.openmmlab.com/mmselfsup/1.x/mae/mae_vit-base-p16_8xb512-fp16-coslr-1600e_in1k/mae_vit-base-p16_8xb512-fp16-coslr-1600e_in1k_20220825-f7569ca2.pth',  # noqa: E501
    teacher_dims=768)
