#!/usr/bin/env bash
# GPU readiness check, one command, about 1-2 minutes on one CUDA GPU
# (budget: 5): DeepLabV3-R101 -> R18 distillation at 512x1024 in fp32,
# fp16 AMP (MMEngine's AmpOptimWrapper) and bf16; checks that the
# distillation losses stay float32 and finite; prints iterations/s and
# peak memory of the distiller vs a student step + teacher inference.
# Random weights and images: no downloads. Exit status 1 if a check
# fails. Extra arguments go to benchmarks/gpu_check.py (see its --help).
#   bash benchmarks/gpu_check.sh [--iters 5] [--json gpu_check.json]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" \
    exec "${PYTHON:-python}" benchmarks/gpu_check.py "$@"
