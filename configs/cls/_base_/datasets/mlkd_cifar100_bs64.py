# CIFAR-100 at batch 64 with MLKD's two views of every training image
# (Jin-Ying/Multi-Level-Logit-Distillation @ 5ee473f,
# mdistiller/dataset/cifar100.py, get_cifar100_train_transform_strong):
# weak = random crop 32 with padding 4 + horizontal flip; strong = its own
# crop and flip, then RandAugment with 2 ops + Cutout (MLKDRandAugment).
# Validation and test are single-view, as in ./cifar100_bs64.py.
_base_ = './cifar100_bs64.py'
mlkd_weak_view = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
train_dataloader = dict(
    dataset=dict(pipeline=[
        # the model gets [weak, strong] in this order
        dict(
            type='MultiView',
            num_views=[1, 1],
            transforms=[
                mlkd_weak_view,
                mlkd_weak_view + [dict(type='MLKDRandAugment')],
            ]),
        dict(type='PackInputs'),
    ]))
# normalises each view as ClsDataPreprocessor does
data_preprocessor = dict(type='MultiViewClsDataPreprocessor')
