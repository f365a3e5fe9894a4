"""What the distiller reads from each kind of MMSeg head
(gdkd_seg/models/distillers/seg_outputs.py), checked against MMSeg's own
computations."""
import pytest
import torch
from mmengine.registry import DefaultScope

import gdkd_seg  # noqa: F401,I001  (mmcv.ops stand-in before mmseg.models)
from mmseg.models.decode_heads import (DDRHead, FCNHead,
                                       IterativeDecodeHead, PIDHead)
from mmseg.models.segmentors import MultimodalEncoderDecoder
from mmseg.registry import MODELS

from gdkd_seg.models.distillers.seg_outputs import (check_segmentor,
                                                    dense_stages,
                                                    main_output,
                                                    mask_class_log_probs,
                                                    match_channels,
                                                    two_class)
from tests.models.distillers.tiny_segmentors import segmentor


def build(cfg):
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(cfg)


def test_mask_log_probs_are_mmseg_predict_normalised():
    """log p from the mask and class logits equals the log of MMSeg's own
    MaskFormerHead.predict (its einsum of class and mask probabilities,
    masks resized to the output size) normalised over the classes."""
    torch.manual_seed(0)
    model = build(segmentor('mask')).eval()
    inputs = torch.randn(2, 3, 16, 16)
    feats = model.extract_feat(inputs)  # (2, 4, 8, 8)
    size = (6, 10)  # not the masks' size: they are resized
    with torch.no_grad():
        cls_scores, mask_preds = model.decode_head(feats, None)
        got = mask_class_log_probs(cls_scores[-1], mask_preds[-1], size)
        scores = model.decode_head.predict(
            feats, [dict(img_shape=size) for _ in range(2)], None)
    assert scores.shape == got.shape == (2, 5, *size)
    # MMSeg's scores are not a distribution; normalised they are ours
    assert not torch.allclose(scores.sum(1), torch.ones(2, *size))
    want = scores / scores.sum(1, keepdim=True)
    assert torch.allclose(got.exp(), want, atol=1e-6)
    assert torch.allclose(got.logsumexp(1), torch.zeros(2, *size),
                          atol=1e-6)


def test_mask_log_probs_stay_finite_where_the_product_underflows():
    """Queries that are all but certain "no object" with very negative
    masks: MMSeg's product underflows to 0 (log -inf); the log-sum-exp
    form keeps finite log-probabilities."""
    cls_scores = torch.zeros(1, 2, 4)
    cls_scores[..., -1] = 200.  # "no object"
    cls_scores[0, 0, 0] = 230.
    mask = torch.full((1, 2, 2, 2), -200.)
    got = mask_class_log_probs(cls_scores, mask, (2, 2))
    assert torch.isfinite(got).all()
    assert torch.allclose(got.logsumexp(1), torch.zeros(1, 2, 2))
    naive = torch.einsum('bqc,bqhw->bchw',
                         cls_scores.softmax(-1)[..., :-1], mask.sigmoid())
    assert (naive == 0).any()  # what MMSeg's einsum gives here


def test_two_class_and_match_channels():
    z = torch.randn(2, 1, 3, 3)
    ab = torch.randn(2, 2, 3, 3)
    assert torch.equal(two_class(z)[:, 0], torch.zeros(2, 3, 3))
    assert torch.equal(two_class(z)[:, 1:], z)
    # softmax of (0, z) is (1 - sigmoid(z), sigmoid(z))
    assert torch.allclose(two_class(z).softmax(1)[:, 1:], z.sigmoid())
    # (a, b) -> (0, b - a): the same softmax
    assert torch.allclose(two_class(ab).softmax(1), ab.softmax(1))
    s, t = match_channels(z, ab)
    assert torch.equal(s, two_class(z)) and torch.equal(t, two_class(ab))
    many = torch.randn(2, 5, 3, 3)
    s, t = match_channels(many, many + 1)
    assert torch.equal(s, many) and torch.equal(t, many + 1)
    with pytest.raises(ValueError, match='one- or two-channel'):
        two_class(many)


def test_dense_stages():
    assert dense_stages(build(segmentor('encdec'))) == [0]
    assert dense_stages(build(segmentor('cascade'))) == [0, 1]
    # PointRend: the point head classifies points, not a map
    assert dense_stages(build(segmentor('pointrend'))) == [0]


def test_main_output_of_multi_output_heads():
    """Heads that return several maps in training mode contribute the one
    their inference returns (KNet: last stage, PIDNet: integral branch,
    DDRNet: context branch); an unknown one is refused by name."""
    maps = tuple(torch.full((1, 1, 1, 1), float(i)) for i in range(3))
    for cls, want in ((IterativeDecodeHead, 2), (PIDHead, 1),
                      (DDRHead, 0)):
        head = cls.__new__(cls)  # the type is what is looked up
        assert main_output(head, maps) is maps[want], cls.__name__
    head = FCNHead.__new__(FCNHead)
    assert main_output(head, maps[0]) is maps[0]
    with pytest.raises(TypeError, match='FCNHead returned tuple of 3'):
        main_output(head, maps)


def test_unsupported_segmentors_are_refused_by_name():
    depth = build(segmentor('encdec', type='DepthEstimator'))
    with pytest.raises(TypeError, match='teacher is a DepthEstimator'):
        check_segmentor(depth, 'teacher')
    san = MultimodalEncoderDecoder.__new__(MultimodalEncoderDecoder)
    with pytest.raises(TypeError, match='student is a '
                       'MultimodalEncoderDecoder'):
        check_segmentor(san, 'student')
    check_segmentor(build(segmentor('pointrend')), 'student')  # fine
