# Deltas that turn a Cityscapes config into the offline demo (tools/demo.py):
# 64x128 images of real handwritten digits on real photos (11 classes,
# Cityscapes layout with train/val/test splits, built by
# gdkd_seg.demo.build_demo_digits) and
# small plain conv nets that train from scratch on a CPU in minutes.
# Keys are prefixed with `demo_` (bases may not share keys);
# ./distill_digits.py and ./plain_digits.py apply them with
# `key = {{_base_.demo_key}}`.
# Paths are plain literals: tools/demo.py passes its own with --cfg-options
# (as a user does), never by pasting text into a config's source (what
# MMEngine's `{{$VAR}}` does: a quote in such a path ran as code).
demo_data_root = 'data/demo_digits'
demo_crop_size = (64, 128)
# digits are not mirror-symmetric, so no flip; images are already 64x128
demo_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
demo_test_pipeline = demo_train_pipeline
demo_train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type='DemoDigitsDataset',
        data_root=demo_data_root,
        pipeline=demo_train_pipeline))
demo_val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type='DemoDigitsDataset',
        data_root=demo_data_root,
        pipeline=demo_test_pipeline))
# the numbers the demo reports come from a held-out test split: val is
# only looked at during training (it picks nothing: the last weights count)
demo_test_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type='DemoDigitsDataset',
        data_root=demo_data_root,
        data_prefix=dict(img_path='leftImg8bit/test',
                         seg_map_path='gtFine/test'),
        pipeline=demo_test_pipeline))
# the schedule of tools/demo.py (it sets the iterations of its runs itself)
demo_iters = 250  # docs "Demo": chosen on val with pilot seeds
demo_teacher_iters = 3000  # the shipped teacher (configs/demo/teacher)


def demo_schedule(iters):
    """(train_cfg, param_scheduler, default_hooks) for ``iters``."""
    return (dict(type='IterBasedTrainLoop', max_iters=iters,
                 val_interval=iters // 3),
            [dict(type='PolyLR', eta_min=1e-5, power=0.9, begin=0,
                  end=iters, by_epoch=False)],
            dict(logger=dict(interval=25),
                 checkpoint=dict(by_epoch=False, interval=iters,
                                 max_keep_ckpts=1)))


demo_train_cfg, demo_param_scheduler, demo_default_hooks = demo_schedule(
    demo_iters)
(demo_teacher_train_cfg, demo_teacher_param_scheduler,
 demo_teacher_default_hooks) = demo_schedule(demo_teacher_iters)
# small nets trained from scratch: AdamW (docs, "Demo": SGD and MMCV's
# initialisation learn several times slower here)
demo_optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-3, weight_decay=0.01))
demo_env_cfg = dict(cudnn_benchmark=False)
# the demo's dataset and backbone are registered by gdkd_seg.demo
demo_custom_imports = dict(imports=['gdkd_seg', 'gdkd_seg.demo'],
                           allow_failed_imports=False)
demo_norm_cfg = dict(type='BN', requires_grad=True)
demo_num_classes = 11
# PyTorch's default initialisation of the classifier (MMSeg's N(0, 0.01)
# stalls these small from-scratch nets on background for hundreds of
# iterations)
demo_seg_init = dict(type='Kaiming', a=5**0.5, mode='fan_in',
                     nonlinearity='leaky_relu', distribution='uniform',
                     override=dict(name='conv_seg'))


def demo_model(width):
    """Plain conv net (strides 2, 4, 8; PlainConvNet) + linear heads on the
    stride-8 (decode) and stride-4 (auxiliary) features."""
    return dict(
        pretrained=None,
        data_preprocessor=dict(size=demo_crop_size),
        backbone=dict(_delete_=True, type='PlainConvNet',
                      widths=(width, 2 * width, 4 * width),
                      depths=(2, 2, 3), out_indices=(1, 2),
                      norm_cfg=demo_norm_cfg),
        decode_head=dict(_delete_=True, type='FCNHead',
                         in_channels=4 * width, in_index=1,
                         channels=4 * width, num_convs=0,
                         concat_input=False, dropout_ratio=0.1,
                         num_classes=demo_num_classes,
                         norm_cfg=demo_norm_cfg, align_corners=False,
                         init_cfg=demo_seg_init,
                         loss_decode=dict(type='CrossEntropyLoss',
                                          loss_weight=1.0)),
        auxiliary_head=dict(_delete_=True, type='FCNHead',
                            in_channels=2 * width, in_index=0,
                            channels=2 * width, num_convs=0,
                            concat_input=False, dropout_ratio=0.1,
                            num_classes=demo_num_classes,
                            norm_cfg=demo_norm_cfg, align_corners=False,
                            init_cfg=demo_seg_init,
                            loss_decode=dict(type='CrossEntropyLoss',
                                             loss_weight=0.4)))


demo_student = demo_model(16)
demo_teacher = demo_model(32)
# the shipped teacher (from the repository's root); tools/demo.py passes
# the teacher it uses with --cfg-options
demo_teacher_ckpt = 'configs/demo/teacher/plainnet32_teacher_digits.pth'
