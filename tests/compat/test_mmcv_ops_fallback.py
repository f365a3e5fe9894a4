"""The mmcv.ops stand-in keeps MMSeg usable with mmcv-lite."""
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F

import gdkd_seg  # noqa: F401  (installs the stand-in)
from gdkd_seg.compat import has_compiled_ops
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(
    has_compiled_ops(), reason='full mmcv installed: the stand-in is off')


def test_point_sample_reads_pixel_centres():
    from mmcv.ops import point_sample
    feat = torch.arange(8.).reshape(1, 2, 2, 2)  # (N, C, H, W)
    # (x, y) in [0, 1]: the centres of pixels (0, 0), (1, 0), (0, 1)
    points = torch.tensor([[[0.25, 0.25], [0.75, 0.25], [0.25, 0.75]]])
    out = point_sample(feat, points)  # (N, C, P)
    expected = torch.tensor([[[0., 1., 2.], [4., 5., 6.]]])
    assert torch.equal(out, expected)
    grid = points[:, :, None]  # (N, P, 1, 2) form keeps the grid dims
    assert point_sample(feat, grid).shape == (1, 2, 3, 1)


def test_missing_ops_raise_module_not_found_with_a_hint():
    with pytest.raises(ModuleNotFoundError, match='mmcv-lite'):
        from mmcv.ops import CrissCrossAttention  # noqa: F401
    from mmcv.ops import sigmoid_focal_loss
    with pytest.raises(RuntimeError, match='full mmcv'):
        sigmoid_focal_loss(torch.zeros(1, 2), torch.zeros(1).long())


@pytest.mark.parametrize('head', ['CCHead', 'PSAHead'])
def test_heads_needing_compiled_ops_fail_clearly(head):
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    kwargs = dict(in_channels=8, channels=4, num_classes=3)
    if head == 'PSAHead':
        kwargs.update(mask_size=(4, 4))
    with pytest.raises(RuntimeError, match='mmcv-full'):
        MODELS.build(dict(type=head, **kwargs))


BN = dict(type='BN', requires_grad=True)
RESNET = dict(type='ResNetV1c', depth=18, base_channels=8, stem_channels=8,
              dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1), norm_cfg=BN)
MBV2 = dict(type='MobileNetV2', widen_factor=0.25, strides=(1, 2, 2, 1, 1,
                                                             1, 1),
            dilations=(1, 1, 1, 2, 2, 4, 4), out_indices=(1, 2, 4, 6),
            norm_cfg=BN)
HEAD = dict(num_classes=5, norm_cfg=BN, channels=8)


@pytest.mark.parametrize('backbone,head', [
    (RESNET, dict(type='ASPPHead', in_channels=64, dilations=(1, 2))),
    (RESNET, dict(type='PSPHead', in_channels=64)),
    (RESNET, dict(type='FCNHead', in_channels=64)),
    (MBV2, dict(type='ASPPHead', in_channels=80, dilations=(1, 2))),
], ids=['deeplabv3', 'pspnet', 'fcn', 'mobilenetv2'])
def test_mmseg_models_build_and_train_on_cpu(backbone, head):
    from mmengine.config import ConfigDict
    from mmseg.registry import MODELS
    model = MODELS.build(ConfigDict(
        type='EncoderDecoder', backbone=backbone,
        decode_head=dict(head, in_index=3, **HEAD),
        data_preprocessor=dict(type='mmseg.SegDataPreProcessor')))
    model.init_weights()
    logits = model(torch.randn(2, 3, 32, 48), mode='tensor')
    assert logits.shape == (2, 5, 4, 6)  # stride 8
    loss = F.cross_entropy(logits, torch.randint(0, 5, (2, 4, 6)))
    loss.backward()
    assert all(p.grad is not None for p in model.parameters()
               if p.requires_grad)


def test_stand_in_is_off_when_compiled_ops_exist(tmp_path):
    """With a (fake) compiled ``mmcv._ext`` present, install() leaves
    ``mmcv.ops`` alone."""
    (tmp_path / '_ext.py').write_text('')
    module = REPO / 'gdkd_seg' / 'compat' / 'mmcv_ops_fallback.py'
    # load the module alone: importing gdkd_seg would import mmseg, whose
    # import of the (fake) real mmcv.ops fails
    code = ('import importlib.util as u, mmcv, sys; '
            'mmcv.__path__.append(sys.argv[1]); '
            's = u.spec_from_file_location("f", sys.argv[2]); '
            'f = u.module_from_spec(s); s.loader.exec_module(f); '
            'assert f.has_compiled_ops(); assert not f.install(); '
            "assert 'mmcv.ops' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, '-c', code, str(tmp_path),
                          str(module)],
                         cwd=REPO, capture_output=True, text=True)
    assert out.stdout.strip() == 'ok', out.stderr[-2000:]
