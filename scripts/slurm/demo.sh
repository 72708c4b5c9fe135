#!/usr/bin/env bash
# `npm run demo:slurm`: a 4-cell llama-bench plan through a real Slurm on this
# machine — the cluster started (scripts/slurm/local-cluster.sh), llama.cpp
# built for CPU (cached), a tiny random-weight model made, the plan submitted
# as a job array with `benchbook bench --slurm --wait` into a temporary store,
# and its runs listed. Needs root or sudo (the cluster's daemons).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/slurm/local-cluster.sh
BIN="$(bash scripts/llama/build-cpu.sh | tail -n 1)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/benchbook-slurm-demo-XXXXXX")"
node --import tsx scripts/llama/make-tiny-gguf.ts --vocab "$BIN/../../src/models/ggml-vocab-llama-spm.gguf" --out "$WORK/tiny.gguf" >/dev/null

cat >"$WORK/plan.yaml" <<PLAN
name: slurm-demo
runner: llama-bench
binary: $BIN/llama-bench
models: [$WORK/tiny.gguf]
matrix:
  -t: 1
  -ub: 32,64
tests:
  p: 64
  n: 16
  d: 0,256
repetitions: 2
PLAN

echo "── plan $WORK/plan.yaml: 2 ubatch sizes × 2 depths = 4 cells, one Slurm task each"
node bin/benchbook.js bench "$WORK/plan.yaml" --slurm --wait --store "$WORK/data"
echo "── the store $WORK/data"
node bin/benchbook.js list --store "$WORK/data"
