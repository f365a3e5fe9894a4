"""The backbones' default initialisation: Kaiming convolutions and unit
normalisation layers, as the CIFAR benchmark code initialises them.

``BaseModule`` deep-copies ``init_cfg``, so the shared list is never
changed through a model.
"""
DEFAULT_INIT_CFG = [
    dict(type='Kaiming', layer='Conv2d'),
    dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
]
