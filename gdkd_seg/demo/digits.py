"""Build the offline demo benchmark: real handwritten digits on real photos.

Everything comes from files that ship inside PyPI packages, so the demo
needs no download: the 1,797 8x8 handwritten digits of scikit-learn
(``load_digits``, from the UCI "Optical Recognition of Handwritten Digits"
set) are upscaled, coloured and alpha-blended onto random crops of the
photographs shipped with scikit-image. Each image gets a per-pixel label
(0 background, ``d + 1`` for digit ``d``) and a ring of ignore pixels (255)
around every digit, as Cityscapes marks void pixels at object borders.

The output uses the Cityscapes file layout (``leftImg8bit/{split}/...
_leftImg8bit.png`` and ``gtFine/{split}/..._gtFine_labelTrainIds.png``), so
MMSeg's Cityscapes dataset code, pipelines and ``IoUMetric`` read it as they
read Cityscapes (see :class:`DemoDigitsDataset` for the 11 class names).
"""
import hashlib
import json
import os
import os.path as osp
import shutil
from typing import Dict, List, Sequence, Tuple

import numpy as np

# scikit-image photographs (real scenes/textures; no drawings or text, which
# would look like digits) that load from the wheel without a download
PHOTOS = ('astronaut', 'chelsea', 'coffee', 'rocket', 'immunohistochemistry',
          'hubble_deep_field', 'retina', 'brick', 'grass', 'gravel', 'camera',
          'coins', 'moon')
CITY = 'digits'  # the "city" folder of the Cityscapes layout
# bump when the images a given seed produces change
BUILDER_VERSION = 4
# shares of scikit-learn's digits drawn by each split (disjoint)
DIGIT_SHARES = (('train', 0.6), ('val', 0.1), ('test', 0.3))
NUM_DIGITS = 1797  # len(sklearn.datasets.load_digits().images)
# the folders the builder owns under its root (it clears them to rebuild)
OWNED = ('leftImg8bit', 'gtFine')
MARKER = '.gdkd_demo_digits'  # marks a root the builder writes into


def digit_pools(seed: int) -> Dict[str, List[int]]:
    """Indices (into scikit-learn's digits) each split draws from, for
    the benchmark of ``seed``: disjoint, in the builder's order. The
    generator of ``seed`` draws this permutation first."""
    order = np.random.default_rng(seed).permutation(NUM_DIGITS)
    pools, start = {}, 0
    for split, share in DIGIT_SHARES:
        stop = start + int(round(share * NUM_DIGITS))
        pools[split] = [int(i) for i in order[start:stop]]
        start = stop
    return pools


def files_sha256(root: str) -> str:
    """One sha256 over every file under the builder's folders of ``root``
    (relative path and content, in sorted order): what the datasets
    read."""
    digest = hashlib.sha256()
    for top in OWNED:
        for folder, dirs, files in sorted(os.walk(osp.join(root, top))):
            dirs.sort()
            for name in sorted(files):
                path = osp.join(folder, name)
                digest.update(osp.relpath(path, root).encode() + b'\0')
                with open(path, 'rb') as f:
                    digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()


def _clear(root: str) -> None:
    """Remove what an earlier build left (so a smaller rebuild leaves no
    stale images). Only a root the builder made, or one without image
    folders, is touched."""
    owned = [osp.join(root, top) for top in OWNED
             if osp.exists(osp.join(root, top))]
    if owned and not osp.isfile(osp.join(root, MARKER)):
        raise FileExistsError(
            f'{root} holds {", ".join(OWNED)} folders that '
            'build_demo_digits did not write; pass an empty or new folder')
    os.makedirs(root, exist_ok=True)
    with open(osp.join(root, MARKER), 'w') as f:
        f.write('written by gdkd_seg.demo.build_demo_digits\n')
    meta = osp.join(root, 'meta.json')
    if osp.exists(meta):  # first: an interrupted rebuild is never reused
        os.remove(meta)
    for path in owned:
        shutil.rmtree(path)


def _load_photos() -> List[np.ndarray]:
    """The background photographs as ``(H, W, 3)`` float32 RGB in [0, 1]."""
    import skimage.data
    photos = []
    for name in PHOTOS:
        img = getattr(skimage.data, name)()
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        photos.append(img[..., :3].astype(np.float32) / 255.0)
    return photos


def _load_digits() -> Tuple[np.ndarray, np.ndarray]:
    """The 8x8 digits as float32 intensities in [0, 1], and their labels."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    return (digits.images.astype(np.float32) / 16.0,
            digits.target.astype(np.int64))


def _background(photo: np.ndarray, size: Tuple[int, int],
                rng: np.random.Generator) -> np.ndarray:
    """A random crop of ``photo``, rescaled to ``size``, randomly flipped."""
    import cv2
    h, w = size
    ph, pw = photo.shape[:2]
    # crop between 1/4 and all of the largest window of the image's aspect
    scale = rng.uniform(0.25, 1.0)
    ch = int(min(ph, pw * h / w) * scale)
    cw = int(ch * w / h)
    y0 = rng.integers(0, ph - ch + 1)
    x0 = rng.integers(0, pw - cw + 1)
    crop = cv2.resize(photo[y0:y0 + ch, x0:x0 + cw], (w, h),
                      interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return np.ascontiguousarray(crop)


def _compose(photo: np.ndarray, digit_imgs: np.ndarray,
             digit_labels: np.ndarray, size: Tuple[int, int],
             n_digits: Tuple[int, int], digit_size: Tuple[int, int],
             ignore_width: int,
             rng: np.random.Generator
             ) -> Tuple[np.ndarray, np.ndarray, List[int]]:
    """One image (uint8 RGB), its label map (uint8) and the class of each
    digit placed on it."""
    import cv2
    h, w = size
    img = _background(photo, size, rng)
    label = np.zeros((h, w), np.uint8)
    ignore = np.zeros((h, w), bool)
    taken = np.zeros((h, w), bool)
    kernel = np.ones((2 * ignore_width + 1, ) * 2, np.uint8)
    placed = []
    for _ in range(rng.integers(n_digits[0], n_digits[1] + 1)):
        idx = rng.integers(len(digit_imgs))
        s = int(rng.integers(digit_size[0], digit_size[1] + 1))
        for _attempt in range(20):  # digits may not overlap
            y0, x0 = rng.integers(0, h - s + 1), rng.integers(0, w - s + 1)
            if not taken[y0:y0 + s, x0:x0 + s].any():
                break
        else:
            continue
        alpha = np.clip(
            cv2.resize(digit_imgs[idx], (s, s),
                       interpolation=cv2.INTER_CUBIC), 0, 1)
        # a colour far from the local background, so a digit is visible
        # (the most distant of a few random colours)
        local = img[y0:y0 + s, x0:x0 + s].mean(axis=(0, 1))
        colours = rng.uniform(0, 1, (4, 3)).astype(np.float32)
        colour = colours[np.abs(colours - local).sum(1).argmax()]
        region = img[y0:y0 + s, x0:x0 + s]
        img[y0:y0 + s, x0:x0 + s] = (region * (1 - alpha[..., None]) +
                                     colour * alpha[..., None])
        # the label covers the digit's body, strokes thickened to about
        # s/6 (coarse, like Cityscapes polygons): a 1-3 px stroke is
        # thinner than a stride-8 logit cell and could never win a pixel
        grow = max(3, s // 6) | 1
        body = cv2.dilate((alpha >= 0.35).astype(np.uint8),
                          np.ones((grow, grow), np.uint8))
        fg = np.zeros((h, w), np.uint8)
        fg[y0:y0 + s, x0:x0 + s] = body
        label[fg > 0] = digit_labels[idx] + 1
        placed.append(int(digit_labels[idx]) + 1)
        # the ring just outside the digit is ambiguous (blended) -> ignore
        ignore |= (cv2.dilate(fg, kernel) > 0) & (fg == 0)
        taken[max(0, y0 - 1):y0 + s + 1, max(0, x0 - 1):x0 + s + 1] = True
    label[ignore] = 255
    img += rng.normal(0, 0.02, img.shape).astype(np.float32)  # sensor noise
    return (np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8), label,
            placed)


def build_demo_digits(root: str,
                      seed: int = 0,
                      n_train: int = 300,
                      n_val: int = 100,
                      n_test: int = 0,
                      size: Sequence[int] = (64, 128),
                      n_digits: Sequence[int] = (1, 3),
                      digit_size: Sequence[int] = (32, 48),
                      ignore_width: int = 1,
                      overwrite: bool = False) -> Dict:
    """Write the demo benchmark under ``root`` (Cityscapes layout).

    The same arguments always give byte-identical files. The splits draw
    their handwritten digits from disjoint parts of scikit-learn's 1,797
    (60 % train, 10 % val, 30 % test, split by ``seed``), so no test digit
    was seen in training; the photographs behind them are shared, as
    Cityscapes' cities share streets' looks. If ``root/meta.json`` records
    the same arguments and the files still hash to its ``files_sha256``,
    nothing is rewritten; otherwise the image folders are cleared and
    rebuilt (``meta.json``, written last, marks a complete build).

    Args:
        root: output directory.
        seed: seed of every random choice.
        n_train: number of training images.
        n_val: number of validation images (for choices during training).
        n_test: number of held-out test images (0: no test split).
        size: ``(height, width)`` of the images.
        n_digits: min and max number of digits per image.
        digit_size: min and max side of a digit in pixels.
        ignore_width: width in pixels of the ignore ring around digits.
        overwrite: rebuild even if ``meta.json`` matches.

    Returns:
        The metadata written to ``root/meta.json``: the arguments, and per
        split the pixel count of every label value (``pixel_counts``) and
        the number of digits of every class (``instance_counts``) and
        the hash of the files (``files_sha256``).

    Raises:
        FileExistsError: ``root`` holds image folders the builder did not
            write.
    """
    args = dict(seed=seed, n_train=n_train, n_val=n_val, n_test=n_test,
                size=list(size), n_digits=list(n_digits),
                digit_size=list(digit_size), ignore_width=ignore_width,
                version=BUILDER_VERSION)
    meta_file = osp.join(root, 'meta.json')
    if osp.isfile(meta_file) and not overwrite:
        with open(meta_file) as f:
            meta = json.load(f)
        if (meta.get('args') == args
                and meta.get('files_sha256') == files_sha256(root)):
            return meta
    _clear(root)
    import cv2
    rng = np.random.default_rng(seed)
    photos = _load_photos()
    digit_imgs, digit_labels = _load_digits()
    assert len(digit_imgs) == NUM_DIGITS
    order = rng.permutation(len(digit_imgs))
    pools = digit_pools(seed)
    sizes = dict(train=n_train, val=n_val, test=n_test)
    pixels, instances, start = {}, {}, 0
    for split, share in DIGIT_SHARES:
        stop = start + int(round(share * len(order)))
        pool = order[start:stop]
        assert pool.tolist() == pools[split]
        start = stop
        if sizes[split] == 0:
            continue
        img_dir = osp.join(root, 'leftImg8bit', split, CITY)
        ann_dir = osp.join(root, 'gtFine', split, CITY)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(ann_dir, exist_ok=True)
        hist = np.zeros(256, np.int64)
        found = np.zeros(11, np.int64)
        for i in range(sizes[split]):
            photo = photos[rng.integers(len(photos))]
            img, label, placed = _compose(
                photo, digit_imgs[pool], digit_labels[pool], tuple(size),
                tuple(n_digits), tuple(digit_size), ignore_width, rng)
            name = f'{CITY}_{i:06d}_000019'
            cv2.imwrite(osp.join(img_dir, f'{name}_leftImg8bit.png'),
                        img[..., ::-1])  # cv2 writes BGR
            cv2.imwrite(
                osp.join(ann_dir, f'{name}_gtFine_labelTrainIds.png'), label)
            hist += np.bincount(label.ravel(), minlength=256)
            found += np.bincount(placed, minlength=11)
        pixels[split] = {str(v): int(c) for v, c in enumerate(hist) if c}
        instances[split] = {str(v): int(c) for v, c in enumerate(found)
                            if v > 0}
    meta = dict(args=args, pixel_counts=pixels, instance_counts=instances,
                files_sha256=files_sha256(root))
    with open(meta_file + '.tmp', 'w') as f:
        json.dump(meta, f, indent=1)
    os.replace(meta_file + '.tmp', meta_file)
    return meta
