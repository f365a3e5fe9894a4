"""gdkd_seg: logit distillation (KD, DKD, GDKD, GDKD3, +LS) for MMSeg.

Segmentation needs MMSeg only; classification is the ``cls`` extra
(``pip install -e ".[cls]"``, MMPretrain). mmcv is deliberately not a
requirement: pip would build the full mmcv from source (~30 min, needs a
compiler and CUDA). Install either
OpenMMLab's prebuilt full ``mmcv`` (GPU machines) or ``mmcv-lite``
(CPU-only machines) yourself; see README "Getting mmcv".
"""
from setuptools import find_packages, setup


def version() -> str:
    scope = {}
    with open('gdkd_seg/version.py') as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='gdkd_seg',
    version=version(),
    description='Logit distillation (KD/DKD/GDKD/GDKD3/LS) for MMSeg and '
    'MMPretrain',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['gdkd_seg', 'gdkd_seg.*']),
    python_requires='>=3.8',
    install_requires=[
        'torch>=1.13',
        'mmengine>=0.10.0,<1.0',
        'mmsegmentation>=1.2.0,<1.3',
        'numpy',
        'opencv-python',
        # imported by mmseg.utils but not declared by mmsegmentation
        'ftfy',
        'regex',
        # mmengine resolves `mmseg::` config paths with pkg_resources,
        # which setuptools >= 81 no longer ships
        'setuptools<81',
    ],
    extras_require={
        # classification (ClsDistiller, CIFAR backbones, configs/cls)
        'cls': ['mmpretrain>=1.2.0,<1.3'],
        'cpu': ['mmcv-lite>=2.0.0,<2.2.0'],
        'tests': ['pytest>=7', 'pytest-xdist>=3.5'],
        'demo': ['matplotlib', 'scikit-learn', 'scikit-image'],
    },
    license='Apache-2.0',
    zip_safe=False)
