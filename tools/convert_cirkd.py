"""Convert a CIRKD checkpoint into an MMSeg checkpoint.

    python tools/convert_cirkd.py SRC OUT [--config CONFIG]
        [--cfg-options decode_head.channels=512]

SRC is a checkpoint of winycg/CIRKD's code (or of DIST / MasKD / Af-DCD /
seg-gdkd, which share it): a segmentation model (e.g. the teacher
``deeplabv3_resnet101_citys_best_model.pth``) becomes the whole MMSeg
model; an ImageNet backbone (``resnet18-imagenet.pth``,
``mobilenetv2-imagenet.pth``, ``resnet101-imagenet.pth``) becomes the
backbone's weights for a student config's ``pretrained``. The target
model is CONFIG's ``model`` (default: the configs/cirkd_protocol model of
the architecture found in SRC). Keys no rule maps (an ImageNet
classifier) are listed; a missing key or another shape stops the
conversion (:func:`gdkd_seg.apis.convert_cirkd`).
"""
import argparse
import os.path as osp
from typing import Optional

from mmengine.config import DictAction

from gdkd_seg.apis.convert_cirkd import convert_cirkd

MODELS = osp.join(osp.dirname(osp.abspath(__file__)), '..', 'configs',
                  'cirkd_protocol', '_base_', 'models')
# (layout, ResNet depth) -> the protocol's model config
DEFAULT_CONFIGS = {
    ('deeplabv3_resnet', 101): 'deeplabv3_r101.py',
    ('deeplabv3_resnet', 18): 'deeplabv3_r18.py',
    ('pspnet_resnet', 18): 'pspnet_r18.py',
    ('deeplabv3_mobilenetv2', None): 'deeplabv3_mbv2.py',
    ('resnet', 101): 'deeplabv3_r101.py',
    ('resnet', 18): 'deeplabv3_r18.py',
    ('mobilenetv2', None): 'deeplabv3_mbv2.py',
}


def default_config(layout: str, depth: Optional[int]) -> str:
    """The protocol model config of a CIRKD layout and ResNet depth."""
    name = DEFAULT_CONFIGS.get((layout, depth))
    if name is None:
        raise SystemExit(f'a CIRKD {layout} with ResNet-{depth} has no '
                         'configs/cirkd_protocol model: pass --config')
    return osp.normpath(osp.join(MODELS, name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='CIRKD checkpoint (path or URL)')
    parser.add_argument('out', help='where to write the MMSeg checkpoint')
    parser.add_argument(
        '--config', help='config whose `model` is the target (default: the '
        'configs/cirkd_protocol model of the architecture in SRC)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override the target model, e.g. decode_head.channels=512')
    args = parser.parse_args()
    try:
        report = convert_cirkd(args.src, args.out,
                               args.config or default_config,
                               args.cfg_options)
    except ValueError as err:  # what does not fit, said plainly
        raise SystemExit(f'error: {err}') from None
    print(f'{report.layout}: wrote {report.converted} tensors to {args.out}')
    if report.unused:
        print(f'{len(report.unused)} keys of {args.src} are not part of the '
              f'model and were left out: {", ".join(report.unused)}')
    if report.filled:
        print(f'{len(report.filled)} BN counters absent from {args.src} '
              'were set to 0')


if __name__ == '__main__':
    main()
