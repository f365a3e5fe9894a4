# CWD on the logits as CIRKD runs it (winycg/CIRKD 91735ef, train_kd.py:
# CriterionCWD(norm_type='channel', divergence='kl', temperature=4) on the
# main head's logits, --lambda-cwd-logit 3 in train_scripts/train_kd/
# train_cwd.sh; no labels, so every position counts), on CIRKD's schedule.
# CIRKD's published CWD numbers come from that script, which also adds a
# feature CWD (weight 50), pixel KD (weight 1) and an adversarial loss:
# this config is the logit part only (docs "CIRKD's Cityscapes
# protocol").
_base_ = ['../cirkd_protocol.py']
distiller = dict(
    type='SegDistiller',
    teacher='{{ fileDirname }}/../models/deeplabv3_r101.py',
    teacher_ckpt='checkpoints/cirkd/deeplabv3_r101_cityscapes.pth',
    distill_losses=[
        dict(type='CWDLoss', temperature=4.0, loss_weight=3.0,
             ignore_index=None)
    ],
    aux_distill_weight=0.0,
    warmup_iters=0)
