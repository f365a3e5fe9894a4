"""MultiViewClsDataPreprocessor: MultiView batches view by view, single
views exactly as MMPretrain's ClsDataPreprocessor."""
import pytest
import torch
from mmengine.dataset import default_collate, pseudo_collate
from mmpretrain.models import ClsDataPreprocessor
from mmpretrain.structures import DataSample

import gdkd_seg.cls  # noqa: F401  (registrations)
from gdkd_seg.cls import MultiViewClsDataPreprocessor

ARGS = dict(mean=[10., 20., 30.], std=[2., 4., 8.], num_classes=5)


def samples(n=3, views=2, seed=0):
    """Packed samples as MultiView + PackInputs give them."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        imgs = [torch.randint(0, 256, (3, 8, 8), generator=g).byte()
                for _ in range(views)]
        out.append(dict(inputs=imgs if views > 1 else imgs[0],
                        data_samples=DataSample().set_gt_label(i % 5)))
    return out


@pytest.mark.parametrize('collate', [pseudo_collate, default_collate])
def test_views_are_normalised_one_by_one(collate):
    data = samples(views=2)
    ours = MultiViewClsDataPreprocessor(**ARGS)(collate(data), True)
    ref = ClsDataPreprocessor(**ARGS)
    assert isinstance(ours['inputs'], list) and len(ours['inputs']) == 2
    for v, got in enumerate(ours['inputs']):
        view = pseudo_collate([dict(inputs=d['inputs'][v],
                                    data_samples=d['data_samples'])
                               for d in data])
        torch.testing.assert_close(got, ref(view, True)['inputs'])
    labels = torch.cat([s.gt_label for s in ours['data_samples']])
    assert labels.tolist() == [0, 1, 2]


def test_single_view_is_mmpretrains():
    data = pseudo_collate(samples(views=1))
    ours = MultiViewClsDataPreprocessor(**ARGS)(data, False)
    ref = ClsDataPreprocessor(**ARGS)(pseudo_collate(samples(views=1)),
                                      False)
    assert torch.equal(ours['inputs'], ref['inputs'])


def test_batch_augments_refuse_views():
    pre = MultiViewClsDataPreprocessor(
        **ARGS, batch_augments=dict(augments=dict(type='Mixup', alpha=1.)))
    with pytest.raises(ValueError, match='multi-view'):
        pre(pseudo_collate(samples(views=2)), True)
