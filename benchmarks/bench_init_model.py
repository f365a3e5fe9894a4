"""Peak memory and time of ``mmseg.apis.init_model`` on a distillation
config vs the plain student config (docs "Inference with MMSeg's APIs").

    python benchmarks/bench_init_model.py [--repeats 3]

Offline: the checkpoints are written here from a built DeepLabV3-R18-D8
(seeded random weights): a plain one for
``configs/baselines/deeplabv3_r18_cityscapes.py`` and the same weights
under ``student.`` for ``configs/gdkd/deeplabv3_r101_to_r18_cityscapes.py``
(as a distillation run writes them). Each measurement runs in a fresh
process: peak RSS (``ru_maxrss``) after the imports and after
``init_model(config, checkpoint, device='cpu')``, and the wall time of
that call; the two configs alternate. Goal: ratios <= 1.1.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import tempfile

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DISTILL = 'configs/gdkd/deeplabv3_r101_to_r18_cityscapes.py'
PLAIN = 'configs/baselines/deeplabv3_r18_cityscapes.py'

MAKE_CKPTS = r'''
import sys, torch
import gdkd_seg  # noqa: F401
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.utils import get_classes, get_palette
init_default_scope('mmseg')
torch.manual_seed(0)
student = MODELS.build(Config.fromfile(sys.argv[1]).model)
meta = dict(dataset_meta=dict(classes=get_classes('cityscapes'),
                              palette=get_palette('cityscapes')))
state = student.state_dict()
torch.save(dict(state_dict=state, meta=meta), sys.argv[2])
torch.save(dict(state_dict={'student.' + k: v for k, v in state.items()},
                meta=meta), sys.argv[3])
'''

MEASURE = r'''
import json, resource, sys, time
import gdkd_seg  # noqa: F401
from mmseg.apis import init_model
after_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
model = init_model(sys.argv[1], sys.argv[2], device='cpu')
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(
    seconds=seconds, imports_mib=after_imports / 1024, peak_mib=peak / 1024,
    teacher_built=getattr(model, '_teacher', None) is not None,
    params=sum(p.numel() for p in model.parameters()))))
'''


def run(code: str, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [REPO, os.environ.get('PYTHONPATH', '')]))
    proc = subprocess.run([sys.executable, '-c', code, *args], cwd=REPO,
                          env=env, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    lines = proc.stdout.strip().splitlines()
    return lines[-1] if lines else ''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain_ckpt = osp.join(tmp, 'r18.pth')
        distill_ckpt = osp.join(tmp, 'gdkd_r101_to_r18.pth')
        run(MAKE_CKPTS, PLAIN, plain_ckpt, distill_ckpt)
        runs = {'student config': [], 'distillation config': []}
        for _ in range(args.repeats):
            for name, cfg, ckpt in (
                    ('student config', PLAIN, plain_ckpt),
                    ('distillation config', DISTILL, distill_ckpt)):
                runs[name].append(json.loads(run(MEASURE, cfg, ckpt)))
    med = {name: {key: statistics.median(r[key] for r in rs)
                  for key in ('seconds', 'imports_mib', 'peak_mib')}
           for name, rs in runs.items()}
    base = med['student config']
    print('| config | init_model time | peak RSS | peak RSS - imports | '
          'parameters | teacher built |')
    print('|---|---|---|---|---|---|')
    for name, m in med.items():
        first = runs[name][0]
        print(f"| {name} | {m['seconds']:.2f} s "
              f"({m['seconds'] / base['seconds']:.3f}x) | "
              f"{m['peak_mib']:.0f} MiB "
              f"({m['peak_mib'] / base['peak_mib']:.3f}x) | "
              f"{m['peak_mib'] - m['imports_mib']:.0f} MiB | "
              f"{first['params'] / 1e6:.2f} M | {first['teacher_built']} |")


if __name__ == '__main__':
    main()
