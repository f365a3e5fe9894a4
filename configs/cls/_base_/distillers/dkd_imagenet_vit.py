# DKD into ViT students on ImageNet as vit-gdkd runs it (config/dkd.yaml;
# distillers/dkd.py, the target-class partition): CE_w 1, alpha 0.5,
# beta 1, T 1, no warm-up (warmup_epochs 0). vit-gdkd's DKD indexes the
# labels, which Mixup / CutMix turn into scores (its launch example runs
# without them); ours takes their argmax (docs, "The distiller").
distiller = dict(
    type='ClsDistiller',
    ce_weight=1.0,
    distill_losses=dict(type='DKDLoss', alpha=0.5, beta=1.0,
                        temperature=1.0))
