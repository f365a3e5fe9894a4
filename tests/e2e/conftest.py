"""What the end-to-end tests share: a tiny CIFAR-100 in the official
pickle format, the CLIs that read it, and CIFAR teachers trained on it by
their baseline configs (each once per session)."""
import os
import os.path as osp
import pickle
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_tool

# The tiny files cannot have the published md5 sums that MMPretrain's
# CIFAR100 checks (and, failing, tries to download). This subclass keeps
# MMPretrain's reading of the pickle batches and drops only the checksums.
TINY_CIFAR_MODULE = textwrap.dedent('''
    from mmpretrain.datasets import CIFAR100
    from mmpretrain.registry import DATASETS


    @DATASETS.register_module(force=True)
    class TinyCIFAR100(CIFAR100):
        train_list = [['train', None]]
        test_list = [['test', None]]
        meta = dict(CIFAR100.meta, md5=None)
''')
# Runs a tool script as ``python tools/x.py ...`` would, after importing
# the module above (custom_imports given by --cfg-options come too late:
# MMEngine imports them while reading the config file).
PRELOAD = ('import runpy, sys, tiny_cifar; sys.argv = sys.argv[1:]; '
           "runpy.run_path(sys.argv[0], run_name='__main__')")


def write_cifar100(root: str, n_train: int, n_test: int,
                   num_labels: int = 4, seed: int = 0) -> None:
    """``cifar-100-python/{train,test,meta}`` as the official archive:
    pickled dicts with ``data`` ``(N, 3072)`` uint8 (R, G, B planes of
    32x32) and ``fine_labels``; each label gets its own mean colour."""
    rng = np.random.default_rng(seed)
    folder = osp.join(root, 'cifar-100-python')
    os.makedirs(folder, exist_ok=True)
    colours = rng.integers(30, 226, (num_labels, 3))
    for split, n in (('train', n_train), ('test', n_test)):
        labels = rng.integers(0, num_labels, n)
        img = colours[labels][:, :, None] + rng.normal(0, 20, (n, 3, 1024))
        data = np.clip(img, 0, 255).astype(np.uint8).reshape(n, 3072)
        entry = {
            'filenames': [f'{split}_{i}.png' for i in range(n)],
            'batch_label': f'{split} batch',
            'fine_labels': labels.tolist(),
            'coarse_labels': (labels // 5).tolist(),
            'data': data,
        }
        with open(osp.join(folder, split), 'wb') as f:
            pickle.dump(entry, f, protocol=2)
    meta = {'fine_label_names': [f'class{i}' for i in range(100)],
            'coarse_label_names': [f'super{i}' for i in range(20)]}
    with open(osp.join(folder, 'meta'), 'wb') as f:
        pickle.dump(meta, f, protocol=2)


def loader_options(root: str, batch: int, dataset_type: str = None):
    opts = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.data_root={root}',
                 f'{loader}.batch_size={batch}',
                 f'{loader}.num_workers=0']
        if dataset_type:
            opts.append(f'{loader}.dataset.type={dataset_type}')
    return opts


# One intra-op thread: on a busy 2-core machine OpenMP's spinning threads
# make CPU training an order of magnitude slower.
ENV = {'OMP_NUM_THREADS': '1'}
COMMON = ['default_hooks.logger.interval=1',
          'default_hooks.checkpoint.interval=1', 'randomness.seed=0']


class TinyCIFAR:
    """The tiny CIFAR-100 under ``root`` and how to run the CLIs on it."""

    def __init__(self, root: Path):
        self.root = root
        self.env = dict(ENV, PYTHONPATH=str(root))
        self.opts = loader_options(str(root / 'cifar100'), 16,
                                   'TinyCIFAR100') + COMMON
        self._teachers = {}

    def cli(self, *args: str, **kwargs):
        """``python tools/x.py ...`` with the tiny dataset registered."""
        return run_tool('-c', PRELOAD, *args, env=self.env, **kwargs)

    def teacher(self, arch: str) -> Path:
        """The checkpoint of ``arch``'s CIFAR-100 baseline config trained
        for one epoch by tools/train.py (trained once per session)."""
        if arch not in self._teachers:
            work = self.root / f'teacher_{arch}'
            self.cli('tools/train.py',
                     osp.join('configs', 'cls', 'cifar100', 'baselines',
                              f'{arch}_1xb64-240e_cifar100.py'),
                     '--work-dir', str(work), '--cfg-options',
                     'train_cfg.max_epochs=1', *self.opts)
            ckpt = work / 'epoch_1.pth'
            assert ckpt.is_file()
            self._teachers[arch] = ckpt
        return self._teachers[arch]


@pytest.fixture(scope='session')
def tiny_cifar(tmp_path_factory) -> TinyCIFAR:
    """48 training and 24 test images of 4 classes (a colour each)."""
    root = tmp_path_factory.mktemp('cifar')
    write_cifar100(str(root / 'cifar100'), n_train=48, n_test=24)
    (root / 'tiny_cifar.py').write_text(TINY_CIFAR_MODULE)
    return TinyCIFAR(root)
