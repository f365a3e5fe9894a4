"""The strong view of MLKD's two-view training: FixMatch-style RandAugment.

Re-implements, with the same PIL operations, ranges and sampling, the
``RandAugment(2, 10)`` of the official MLKD code
(``mdistiller/dataset/cifar100.py`` and ``imagenet.py`` of
Jin-Ying/Multi-Level-Logit-Distillation @ 5ee473f), which the strong
pipeline applies after the random crop and flip.
"""
from typing import Callable, Dict, List, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS
from PIL import Image, ImageDraw, ImageEnhance, ImageOps


def _affine(matrix: Callable[[Image.Image, float], tuple]):
    def op(img: Image.Image, v: float) -> Image.Image:
        # PIL's defaults, as upstream: nearest neighbour, black outside
        return img.transform(img.size, Image.AFFINE, matrix(img, v))
    return op


# name -> (operation(img, v), low, high): v is drawn uniformly in
# [low, high) for every use. Brightness/Color/Contrast/Sharpness factors
# below 1 only, signed rotations (degrees), shears and translations
# (fractions of the size), posterize bits 4-7, solarize threshold 0-256.
OPS: Dict[str, Tuple[Callable, float, float]] = {
    'AutoContrast': (lambda img, _: ImageOps.autocontrast(img), 0, 1),
    'Brightness': (lambda img, v: ImageEnhance.Brightness(img).enhance(v),
                   0.05, 0.95),
    'Color': (lambda img, v: ImageEnhance.Color(img).enhance(v), 0.05,
              0.95),
    'Contrast': (lambda img, v: ImageEnhance.Contrast(img).enhance(v),
                 0.05, 0.95),
    'Equalize': (lambda img, _: ImageOps.equalize(img), 0, 1),
    'Identity': (lambda img, _: img, 0, 1),
    'Posterize': (lambda img, v: ImageOps.posterize(img, max(1, int(v))),
                  4, 8),
    'Rotate': (lambda img, v: img.rotate(v), -30, 30),
    'Sharpness': (lambda img, v: ImageEnhance.Sharpness(img).enhance(v),
                  0.05, 0.95),
    'ShearX': (_affine(lambda img, v: (1, v, 0, 0, 1, 0)), -0.3, 0.3),
    'ShearY': (_affine(lambda img, v: (1, 0, 0, v, 1, 0)), -0.3, 0.3),
    'Solarize': (lambda img, v: ImageOps.solarize(img, v), 0, 256),
    'TranslateX': (_affine(lambda img, v: (1, 0, v * img.size[0], 0, 1, 0)),
                   -0.3, 0.3),
    'TranslateY': (_affine(lambda img, v: (1, 0, 0, 0, 1, v * img.size[1])),
                   -0.3, 0.3),
}


@TRANSFORMS.register_module()
class MLKDRandAugment(BaseTransform):
    """``num_ops`` operations drawn with replacement from :data:`OPS`, each
    with its own uniform magnitude, then a Cutout.

    The Cutout square has a side ``U[0, cutout_max) x width`` pixels and
    its centre is drawn in ``(1, w] x (1, h]`` (upstream calls
    ``np.random.uniform(w)``, i.e. low ``w``, high 1); it is clipped to
    the image after its top-left corner is, and filled with
    ``fill`` (RGB).

    Required keys: ``img`` (``H x W x 3`` uint8). Modified keys: ``img``.

    Args:
        num_ops: operations per image (upstream ``n = 2``; its ``m = 10``
            is unused).
        cutout_max: the largest Cutout side, as a fraction of the width.
        fill: Cutout colour, RGB.
        channel_order: ``'rgb'`` (MMPretrain's CIFAR datasets) or
            ``'bgr'`` (``LoadImageFromFile``): PIL's colour operations and
            the fill assume RGB.
    """

    def __init__(self,
                 num_ops: int = 2,
                 cutout_max: float = 0.5,
                 fill: Tuple[int, int, int] = (125, 123, 114),
                 channel_order: str = 'rgb') -> None:
        if channel_order not in ('rgb', 'bgr'):
            raise ValueError("channel_order must be 'rgb' or 'bgr', got "
                             f'{channel_order!r}')
        if num_ops < 0 or not 0 <= cutout_max <= 1:
            raise ValueError('num_ops must be >= 0 and cutout_max in '
                             f'[0, 1], got {num_ops}, {cutout_max}')
        self.num_ops = num_ops
        self.cutout_max = cutout_max
        self.fill = tuple(fill)
        self.channel_order = channel_order

    def draw(self) -> List[Tuple[str, float]]:
        """The operations and magnitudes of one image."""
        names = list(OPS)
        ops = []
        for i in np.random.randint(len(names), size=self.num_ops):
            _, low, high = OPS[names[i]]
            ops.append((names[i], low + (high - low) * np.random.rand()))
        return ops

    def cutout(self, img: Image.Image) -> Image.Image:
        side = np.random.rand() * self.cutout_max * img.size[0]
        if side <= 0:
            return img
        w, h = img.size
        cx, cy = w + (1 - w) * np.random.rand(), h + (1 - h) * np.random.rand()
        x0, y0 = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
        img = img.copy()
        ImageDraw.Draw(img).rectangle(
            (x0, y0, min(w, x0 + side), min(h, y0 + side)), fill=self.fill)
        return img

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError('MLKDRandAugment needs H x W x 3 uint8 images, '
                             f'got {img.shape} {img.dtype}')
        bgr = self.channel_order == 'bgr'
        pil = Image.fromarray(img[..., ::-1] if bgr else img)
        for name, value in self.draw():
            pil = OPS[name][0](pil, value)
        out = np.asarray(self.cutout(pil))
        results['img'] = np.ascontiguousarray(out[..., ::-1] if bgr else out)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_ops={self.num_ops}, cutout_max='
                f'{self.cutout_max}, fill={self.fill}, channel_order='
                f'{self.channel_order!r})')
