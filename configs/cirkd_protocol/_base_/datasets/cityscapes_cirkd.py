# Cityscapes as CIRKD trains and scores it (winycg/CIRKD 91735ef,
# dataset/cityscapes.py CSTrainValSet; the same in seg-gdkd 8c3f0c8,
# DIST_KD 2418f18 and Af-DCD 5b086a7).
# - Images: CIRKD's dataset/list/cityscapes/{train,val}.lst list all 2975
#   train and 500 val images of leftImg8bit/, which is what
#   CityscapesDataset finds under data_root (MMSeg's layout is the
#   official one, as CIRKD's).
# - Labels: CIRKD maps *_gtFine_labelIds.png through the official
#   id -> trainId table (ignored -> -1); MMSeg reads the
#   *_gtFine_labelTrainIds.png that its converter writes from the same
#   polygons with the same table (ignored -> 255): the same pixels.
#   Prepare once: python tools/dataset_converters/cityscapes.py (MMSeg's).
dataset_type = 'CityscapesDataset'
data_root = 'data/cityscapes/'
crop_size = (512, 1024)
# generate_scale_label: f = 0.5 + randint(0, 15) / 10, i.e. one of 0.5,
# 0.6, ..., 2.0 (uniform), applied to the image (cv2 INTER_LINEAR) and the
# labels (INTER_NEAREST); then a uniform random 512x1024 crop (padded with
# the mean colour / ignore when smaller: the data preprocessor's `size`),
# a horizontal flip with p 0.5, and no photometric augmentation.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomChoice',
         transforms=[[dict(type='Resize', scale_factor=r / 10,
                           keep_ratio=False)] for r in range(5, 21)]),
    # CIRKD's crop has no cat_max_ratio (MMSeg's Cityscapes uses 0.75)
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=1.0),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
# single scale, the full 1024x2048 image, no resize (CIRKD's eval.py and
# validation(): scales [1.], no flip, logits upsampled to the labels)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
# 16 images per iteration = 8 GPUs x 2 (train_*.py --batch-size 16,
# divided by the world size)
train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# CIRKD's SegmentationMetric sums intersections and unions over the val set
# and averages the 19 IoUs: MMSeg's IoUMetric (every class occurs in val)
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
