# KD in seg-gdkd (ZaberKo/seg-gdkd 8c3f0c8, losses/distiller/kd.py and
# train_kd.py): T 1, weight 1, on the main and (x 0.4) the auxiliary
# logits at 1/8 resolution, no warm-up; the teacher is CIRKD's
# DeepLabV3-R101, converted by tools/convert_cirkd.py. Its KD has no
# ignore index (kd_options are empty in its scripts): every pixel counts,
# hence ignore_index=None.
_base_ = ['../seg-gdkd_protocol.py']
distiller = dict(
    type='SegDistiller',
    teacher='{{ fileDirname }}/../models/deeplabv3_r101.py',
    teacher_ckpt='checkpoints/cirkd/deeplabv3_r101_cityscapes.pth',
    distill_losses=[dict(type='KDLoss', temperature=1.0, ignore_index=None)],
    aux_distill_weight=0.4,
    warmup_iters=0)
