#!/usr/bin/env bash
# Usage: [GPUS=4] [GPUS_PER_NODE=4] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#     tools/slurm_train.sh PARTITION JOB_NAME CONFIG [train.py args...]
# One task per GPU through srun; MMEngine's slurm launcher reads
# SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID / SLURM_NODELIST (the first
# node is the master; MASTER_PORT, default 29500, picks the port).
# On CPU-only partitions set GRES="" (no --gres=gpu:N request): the tasks
# then train on CPUs with gloo (GDKDRunner sets that up).
# PYTHON picks the interpreter (default: python on PATH).
set -x

PARTITION=$1
JOB_NAME=$2
CONFIG=$3
GPUS=${GPUS:-4}
GPUS_PER_NODE=${GPUS_PER_NODE:-4}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
GRES=${GRES-"--gres=gpu:${GPUS_PER_NODE}"}
SRUN_ARGS=${SRUN_ARGS:-""}

PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" \
srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    ${GRES} \
    --ntasks="${GPUS}" \
    --ntasks-per-node="${GPUS_PER_NODE}" \
    --cpus-per-task="${CPUS_PER_TASK}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    "${PYTHON:-python}" -u "$(dirname "$0")/train.py" "${CONFIG}" \
    --launcher slurm "${@:4}"
