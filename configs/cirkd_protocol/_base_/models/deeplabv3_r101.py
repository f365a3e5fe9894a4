# CIRKD's teacher, DeepLabV3-ResNet101 (winycg/CIRKD 91735ef,
# models/deeplabv3.py; README: 78.07 val mIoU, the checkpoint every paper
# of its protocol distils from), as an MMSeg EncoderDecoder. Written out
# rather than as a delta of mmseg::_base_/models/deeplabv3_r50-d8.py:
# backbone stem, head type and widths, align_corners, the loss reduction
# and the normalisation all differ, and each mmseg:: base costs a scan
# of MMSeg's model index at every parse.
norm_cfg = dict(type='SyncBN', requires_grad=True)
# The input CIRKD's models expect (dataset/cityscapes.py): cv2's BGR pixels
# in 0-255 minus the mean (104.008, 116.669, 122.679), not divided by a
# std; MMSeg's defaults (RGB, std ~58) would feed converted CIRKD weights
# the wrong inputs. Training pads to the crop with 0 after the mean is
# taken (the mean colour; labels with ignore), as CIRKD pads.
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[104.00698793, 116.66876762, 122.67891434],
    std=[1.0, 1.0, 1.0],
    bgr_to_rgb=False,
    size=(512, 1024),
    pad_val=0,
    seg_pad_val=255)
# align_corners: CIRKD upsamples logits with align_corners=True for the
# loss (losses/task.py) and the evaluation (eval.py); its CE averages over
# the non-ignored pixels (nn.CrossEntropyLoss(ignore_index)).
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    # ImageNet weights for training it yourself (CIRKD's
    # resnet101-imagenet.pth, converted by tools/convert_cirkd.py);
    # distillation loads the whole converted teacher instead
    pretrained='checkpoints/cirkd/resnet101_imagenet.pth',
    # the deep-stem ResNet-101 at output stride 8: MMSeg's ResNetV1c with a
    # 128-channel stem, weight for weight
    backbone=dict(
        type='ResNetV1c',
        depth=101,
        stem_channels=128,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True),
    # ASPP [1x1, 12, 24, 36, pool] -> 1x1 projection (+ dropout 0.5) ->
    # 3x3 -> dropout 0.1 -> classifier; width 256 in the released
    # checkpoint (512 in CIRKD >= 351400e: set channels)
    decode_head=dict(
        type='CIRKDASPPHead',
        in_channels=2048,
        in_index=3,
        channels=256,
        dilations=(1, 12, 24, 36),
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=True,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)),
    # the aux FCN on layer3: 3x3 to in/4, dropout 0.1, 1x1; CE weight 0.4
    auxiliary_head=dict(
        type='CIRKDFCNHead',
        in_channels=1024,
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=True,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=0.4,
            avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
