"""benchmarks/gpu_check.sh, the GPU readiness check, in its CPU smoke mode
(the real DeepLabV3-R101 -> R18 configs at a tiny size, batch 2 (the
ASPP image pooling needs 2 images for BN), fp32 and bf16;
fp16 needs CUDA): the losses are checked to come out float32 and finite
while the logits are in the autocast dtype, and the table is printed."""
import json
import os
import subprocess
import sys

from tests.conftest import REPO


def test_gpu_check_smoke_on_cpu(tmp_path):
    out = tmp_path / 'gpu_check.json'
    proc = subprocess.run(
        ['bash', 'benchmarks/gpu_check.sh', '--device', 'cpu', '--iters',
         '1', '--warmup', '0', '--size', '32', '64',
         '--json', str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=900,
        env=dict(os.environ, PYTHON=sys.executable))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert 'fp16: skipped' in proc.stdout
    assert 'losses float32 and finite in every mode' in proc.stdout
    results = {r['mode']: r for r in json.loads(out.read_text())['results']}
    assert set(results) == {'fp32', 'bf16'}
    for mode, dtype in (('fp32', 'torch.float32'),
                        ('bf16', 'torch.bfloat16')):
        r = results[mode]
        assert r['checks_ok'] and r['all_finite']
        assert r['logits_dtypes'] == [dtype]
        assert r['loss_dtypes'] == ['torch.float32']
        # loss_gdkd and aux.loss_gdkd, one iteration
        assert r['n_losses'] == 2
        for side in ('distiller', 'separate'):
            assert r[side]['it_per_s'] > 0
