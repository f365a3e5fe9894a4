"""Write the ViT encoder of an MAE / DMAE / AMD checkpoint as a backbone
checkpoint that an MMSeg or MMPretrain config loads.

    python tools/export_vit_backbone.py CHECKPOINT OUTPUT [--config CFG]

With ``--config`` (e.g. configs/mim/dmae/benchmarks/
dmae-vit-base_upernet_8xb2-amp-160k_ade20k-512x512.py) the output has
exactly that config's backbone keys and shapes and loads strictly through
its ``pretrained`` / ``init_cfg`` (:func:`gdkd_seg.apis.
export_vit_backbone`).
"""
import argparse

from gdkd_seg.apis import export_vit_backbone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='pre-training checkpoint')
    parser.add_argument('output', help='where to write the backbone')
    parser.add_argument(
        '--config', help='the MMSeg/MMPretrain config that will load it')
    parser.add_argument('--prefix', default='backbone.',
                        help='the encoder\'s key prefix in the checkpoint')
    args = parser.parse_args()
    found = export_vit_backbone(args.checkpoint, args.output, args.config,
                                args.prefix)
    print(f'wrote {args.output}; from the config\'s backbone: '
          f'{len(found["new"])} entries, left out: {found["dropped"]}')


if __name__ == '__main__':
    main()
