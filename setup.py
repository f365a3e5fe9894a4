"""gdkd_seg: logit distillation (KD, DKD, GDKD, GDKD3, +LS) for MMSeg.

Segmentation needs MMSeg only; classification is the ``cls`` extra
(``pip install -e ".[cls]"``, MMPretrain). mmcv is deliberately not a
requirement: pip would build the full mmcv from source (~30 min, needs a
compiler and CUDA). Install either
OpenMMLab's prebuilt full ``mmcv`` (GPU machines) or ``mmcv-lite``
(CPU-only machines) yourself; see docs "Getting mmcv".
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

# what `mim search gdkd_seg` / `mim download` / `mim train gdkd_seg` read
# from the installed package (gdkd_seg/.mim), as OpenMMLab packages ship
# theirs
MIM_FILES = ['configs', 'tools', 'model-index.yml']


def version() -> str:
    scope = {}
    with open('gdkd_seg/version.py') as f:
        exec(f.read(), scope)
    return scope['__version__']


def add_mim_extension() -> None:
    """Put configs, tools and model-index.yml under ``gdkd_seg/.mim``.

    A wheel or sdist gets copies; an editable install (``pip install -e``,
    ``setup.py develop``) gets relative symlinks to the checkout, so that
    edits show at once. Other commands (egg_info, ...) leave it alone.
    """
    if any(cmd in sys.argv for cmd in ('develop', 'editable_wheel')):
        mode = 'symlink'
    elif any(cmd in sys.argv
             for cmd in ('sdist', 'bdist_wheel', 'build', 'install')):
        mode = 'copy'
    else:
        return
    root = osp.dirname(osp.abspath(__file__))
    mim = osp.join(root, 'gdkd_seg', '.mim')
    os.makedirs(mim, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(root, name), osp.join(mim, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim), dst)
        elif osp.isdir(src):
            shutil.copytree(
                src, dst,
                ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        else:
            shutil.copyfile(src, dst)


add_mim_extension()

setup(
    name='gdkd_seg',
    version=version(),
    description='Logit distillation (KD/DKD/GDKD/GDKD3/LS) for MMSeg and '
    'MMPretrain',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['gdkd_seg', 'gdkd_seg.*']),
    package_data={
        'gdkd_seg': [
            '.mim/model-index.yml', '.mim/configs/**/*.py',
            '.mim/configs/**/*.yaml', '.mim/configs/**/*.md',
            '.mim/tools/**/*.py', '.mim/tools/**/*.sh'
        ]
    },
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
        # the documentation site (docs/en; tests/docs builds it)
        'docs': ['sphinx==9.0.4', 'myst-parser==5.2.0', 'furo==2025.12.19'],
    },
    license='Apache-2.0',
    zip_safe=False)
