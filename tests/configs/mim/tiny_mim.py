# Deltas that shrink the MAE / DMAE / AMD configs of configs/mim to CPU
# test size: 32x32 images (4x4 patches of 8), encoders 8-32 wide with the
# shipped depths (12 blocks for ViT-S/B, 24 for ViT-L, so the shipped block
# indices hold), a 1-block decoder, no workers. Keys are prefixed with
# `tiny_` (bases may not share keys); the data root and the teacher
# checkpoint come by --cfg-options.
tiny_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.2, 1.0),
         backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs')
]
tiny_train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root='data/imagenet', pipeline=tiny_train_pipeline))
tiny_default_hooks = dict(logger=dict(interval=1))


def _mae(dims, layers):
    return dict(
        backbone=dict(
            arch=dict(_delete_=True, embed_dims=dims, num_layers=layers,
                      num_heads=2, feedforward_channels=2 * dims),
            img_size=32, patch_size=8),
        neck=dict(num_patches=16, patch_size=8, embed_dim=dims,
                  decoder_embed_dim=16, decoder_depth=1,
                  decoder_num_heads=2, mlp_ratio=2),
        head=dict(patch_size=8))


tiny_vit_s = _mae(8, 12)  # stands for ViT-S (12 blocks)
tiny_vit_b = _mae(16, 12)  # ViT-B (12 blocks)
tiny_vit_l = _mae(32, 24)  # ViT-L (24 blocks)
