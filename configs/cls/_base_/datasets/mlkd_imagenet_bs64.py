# ImageNet at batch 64 per GPU with MLKD's two views of every training
# image (Jin-Ying/Multi-Level-Logit-Distillation @ 5ee473f,
# mdistiller/dataset/imagenet.py, get_imagenet_train_transform_strong):
# weak = random resized crop 224 + horizontal flip; strong = its own crop
# and flip, then RandAugment with 2 ops + Cutout (MLKDRandAugment, told
# that LoadImageFromFile gives BGR). Validation as ./imagenet_bs64.py.
_base_ = './imagenet_bs64.py'
mlkd_weak_view = [
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'),
        # the model gets [weak, strong] in this order
        dict(
            type='MultiView',
            num_views=[1, 1],
            transforms=[
                mlkd_weak_view,
                mlkd_weak_view +
                [dict(type='MLKDRandAugment', channel_order='bgr')],
            ]),
        dict(type='PackInputs'),
    ]))
# normalises each view as ClsDataPreprocessor does
data_preprocessor = dict(type='MultiViewClsDataPreprocessor')
