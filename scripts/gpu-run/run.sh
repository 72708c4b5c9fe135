#!/usr/bin/env bash
# benchbook end to end on a CUDA machine with no Node.js, npm or network
# (docs/real-gpu.md). Run from the root of a checkout whose $STAGE folder
# holds what stage.sh put there; phases run in the order given:
#
#   bash .gpu/run.sh build model smoke      # ~6 min on an H100 machine
#   bash .gpu/run.sh bench pack             # every plan + llama-bench direct + the endpoint client
#   bash .gpu/run.sh order endpoint pack    # the tg difference: one process vs one per cell, both orders
#   TARGETS="llama-bench llama-quantize" bash .gpu/run.sh build model ab pack   # an A/B run (-fa 0 against 1)
#   bash .gpu/run.sh build_b ab_builds pack   # then two releases A/B (stage.sh with LLAMA_SRC_B)
#
# Work files (node, llama.cpp build, models, store, raw outputs) live in $WORK
# so that a second call on the same machine finds them. pack writes
# $OUT/gpu-results.tar.xz.
set -uo pipefail
STAGE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${WORK:-/tmp/gw}"
OUT="${OUT:-$WORK/out}"
JOBS="${JOBS:-$(nproc)}"
CUDA_ARCH="${CUDA_ARCH:-90}"
RAW="$WORK/raw"
mkdir -p "$WORK/bin" "$WORK/models" "$RAW" "$OUT"
log() { printf '[run %s +%ss] %s\n' "$(date -u +%H:%M:%S)" "$SECONDS" "$*" | tee -a "$RAW/run.log" >&2; }

if [[ ! -x "$WORK/bin/node" ]]; then xz -dc "$STAGE/node.xz" > "$WORK/bin/node" && chmod +x "$WORK/bin/node"; fi
export PATH="$WORK/bin:$PATH"
bb() { (cd "$WORK" && node "$STAGE/benchbook/benchbook.mjs" "$@"); }
BIN="$WORK/build/bin"
# TARGETS="llama-bench llama-quantize" saves building llama-server when no plan needs it (the ab phase).
TARGETS="${TARGETS:-llama-bench llama-server llama-quantize}"
# MODEL_NAME and MODEL_SHAPE (make-random-gguf.py's options) make another size,
# e.g. MODEL_NAME=random-8B MODEL_SHAPE="--embd 4096 --layers 32 --ff 14336 --name benchbook-random-8B".
MODEL_NAME="${MODEL_NAME:-random-1.5B}"
Q4="$WORK/models/$MODEL_NAME-Q4_K_M.gguf"
Q8="$WORK/models/$MODEL_NAME-Q8_0.gguf"

# build_tree SOURCE BUILD_DIR TARGETS…: llama.cpp from $STAGE/SOURCE.tar.xz (with
# SOURCE.commit and SOURCE.number) into $WORK/BUILD_DIR, CUDA on.
build_tree() {
  local name="$1" out="$2" dir="$WORK/$2" t missing=0; shift 2
  for t in "$@"; do [[ -x "$dir/bin/$t" ]] || missing=1; done
  if (( ! missing )); then log "build $out: present"; return; fi
  rm -rf "$WORK/$name" && mkdir -p "$WORK/$name" && tar -xJf "$STAGE/$name.tar.xz" -C "$WORK/$name" || return 1
  # The source is node-llama-cpp's bundle without its .git: give build-info the
  # commit and count that `git` reports in the CPU build's clone of it.
  sed -i "s/^set(BUILD_NUMBER 0)/set(BUILD_NUMBER $(cat "$STAGE/$name.number"))/; s/^set(BUILD_COMMIT \"unknown\")/set(BUILD_COMMIT \"$(cat "$STAGE/$name.commit")\")/" "$WORK/$name/cmake/build-info.cmake"
  log "build $out: configure $(cat "$STAGE/$name.commit") (CUDA sm_$CUDA_ARCH)"
  cmake -S "$WORK/$name" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
    -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_LLGUIDANCE=OFF \
    -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$CUDA_ARCH" -DGGML_BACKEND_DL=OFF ${CMAKE_EXTRA:-} > "$RAW/$out.log" 2>&1 || { tail -40 "$RAW/$out.log"; return 1; }
  log "build $out: compile -j$JOBS"
  cmake --build "$dir" -j "$JOBS" --target "$@" >> "$RAW/$out.log" 2>&1 || { tail -60 "$RAW/$out.log"; return 1; }
  log "build $out: done"
}
# shellcheck disable=SC2086 # TARGETS is a list
phase_build() { build_tree llama-src build $TARGETS; }
# The second source (stage.sh's LLAMA_SRC_B) for a cross-build A/B: llama-bench only.
phase_build_b() { build_tree llama-src-b build-b llama-bench; }

phase_model() {
  if [[ -s "$Q4" && -s "$Q8" ]]; then log "model: present"; return; fi
  local f16="$WORK/models/$MODEL_NAME-F16.gguf"
  xz -dc "$STAGE/ggml-vocab-llama-bpe.gguf.xz" > "$WORK/ggml-vocab-llama-bpe.gguf" || return 1
  PYTHONUNBUFFERED=1 python3 "$STAGE/make-random-gguf.py" --gguf-py "$WORK/llama-src/gguf-py" \
    --vocab "$WORK/ggml-vocab-llama-bpe.gguf" --out "$f16" ${MODEL_SHAPE:-} 2>&1 | tee -a "$RAW/model.log" | tail -2 || return 1
  "$BIN/llama-quantize" "$f16" "$Q4" Q4_K_M "$JOBS" >> "$RAW/model.log" 2>&1 || { tail -20 "$RAW/model.log"; return 1; }
  "$BIN/llama-quantize" "$f16" "$Q8" Q8_0 "$JOBS" >> "$RAW/model.log" 2>&1 || { tail -20 "$RAW/model.log"; return 1; }
  rm -f "$f16"
  ls -l "$WORK/models" | tee -a "$RAW/model.log"
  log "model: done"
}

# One llama-bench cell and a small endpoint plan into a scratch store.
phase_smoke() {
  nvidia-smi | tee "$RAW/nvidia-smi-smoke.txt"
  bb bench "$STAGE/plans/h100-depth-fa.yaml" --store "$WORK/smoke-store" --only d=0 --only fa=1 --only model=random-1.5B-Q4_K_M 2>&1 | tail -3
  bb bench "$STAGE/plans/smoke-llama-server.yaml" --store "$WORK/smoke-store" 2>&1 | tail -3
  bb list --store "$WORK/smoke-store" 2>&1 | tail -5
}

# Each plan through benchbook, then the same parameters through llama-bench
# directly (one process for all cells, as people run it), side by side.
# Past DEADLINE seconds (default 500) nothing new starts, so pack still runs
# inside the device tool's 10 minutes.
DEADLINE="${DEADLINE:-500}"
late() { (( SECONDS + ${1:-0} > DEADLINE )) && { log "skipped (deadline): ${*:2}"; return 0; }; return 1; }
direct() { # NAME ARGS…
  local name="$1"; shift
  late 30 "direct $name" && return
  log "direct $name: llama-bench $*"
  (cd "$WORK" && "$BIN/llama-bench" "$@" -o jsonl > "$RAW/direct-$name.jsonl" 2> "$RAW/direct-$name.stderr"); echo "rc=$?" >> "$RAW/direct-$name.stderr"
}
plan() { # FILE [SECONDS IT NEEDS] [STORE]
  late "${2:-30}" "plan $1" && return
  log "benchbook bench $1"
  bb bench "$STAGE/plans/$1" --store "${3:-$WORK/store}" --tag machine=h100 --json > "$RAW/bench-${1%.yaml}.jsonl" 2> "$RAW/bench-${1%.yaml}.stderr"
  log "benchbook bench $1: rc=$?"
}

capture_machine() {
  nvidia-smi > "$RAW/nvidia-smi.txt"; nvidia-smi -q > "$RAW/nvidia-smi-q.txt"
  nvidia-smi --query-gpu=name,memory.total,driver_version,pcie.link.gen.current,pcie.link.width.current,power.limit,clocks.max.sm --format=csv > "$RAW/nvidia-smi-query.csv"
  (uname -a; nproc; free -g; nvcc --version; cmake --version | head -1) > "$RAW/system.txt" 2>&1
  "$BIN/llama-bench" --version > "$RAW/llama-bench-version.txt" 2>&1
}

phase_bench() {
  capture_machine
  plan h100-depth-fa.yaml
  direct depth-fa -m models/random-1.5B-Q4_K_M.gguf,models/random-1.5B-Q8_0.gguf -p 512 -n 128 -d 0,8192,16384,32768 -r 3 -ngl 99 -fa 0,1
  plan h100-oom-depth.yaml
  direct oom-depth -m models/random-1.5B-Q4_K_M.gguf -p 512 -n 128 -d 4194304 -r 3 -ngl 99 -fa 1
  plan h100-llama-server.yaml 180
  plan h100-ubatch-sweep.yaml 60
  direct ubatch-sweep -m models/random-1.5B-Q4_K_M.gguf -p 2048 -n 32 -d 0,16384 -r 3 -b 2048 -ub 128,256,512,1024,2048 -ngl 99 -fa 1
  nvidia-smi > "$RAW/nvidia-smi-after.txt"
  bb list --store "$WORK/store" > "$RAW/list.txt" 2>&1
}

# Is benchbook's tg above a direct run's the tool or the way it runs? The
# depth-fa parameters four ways, in this order: llama-bench in one process,
# benchbook (one process per cell), the very commands benchbook ran, typed
# by hand one by one, and one process again.
phase_order() {
  capture_machine
  direct depth-fa-1 -m models/random-1.5B-Q4_K_M.gguf,models/random-1.5B-Q8_0.gguf -p 512 -n 128 -d 0,8192,16384,32768 -r 3 -ngl 99 -fa 0,1
  plan h100-depth-fa.yaml
  log "per cell: the commands of benchbook bench --dry-run"
  bb bench "$STAGE/plans/h100-depth-fa.yaml" --dry-run | grep '^./build/bin/llama-bench' > "$RAW/percell-commands.txt"
  local cmd
  while read -r cmd; do (cd "$WORK" && $cmd >> "$RAW/percell-depth-fa.jsonl" 2>> "$RAW/percell-depth-fa.stderr"); done < "$RAW/percell-commands.txt"
  direct depth-fa-2 -m models/random-1.5B-Q4_K_M.gguf,models/random-1.5B-Q8_0.gguf -p 512 -n 128 -d 0,8192,16384,32768 -r 3 -ngl 99 -fa 0,1
}

phase_endpoint() {
  plan h100-llama-server.yaml 150
  nvidia-smi > "$RAW/nvidia-smi-after.txt"
  bb list --store "$WORK/store" > "$RAW/list.txt" 2>&1
}

# The A/B table as bench prints it without --json: every cell is in the store,
# so --resume runs nothing and prints the result.
abtable() { bb bench "$STAGE/plans/$1" --store "$2" --resume > "$RAW/ab-table-${1%.yaml}.txt" 2>&1; }

# An A/B run (docs/bench.md, "A/B runs"): flash attention off and on, interleaved.
phase_ab() {
  capture_machine
  plan h100-ab-fa.yaml 100
  nvidia-smi > "$RAW/nvidia-smi-after.txt"
  abtable h100-ab-fa.yaml "$WORK/store"
}

# Two builds, interleaved: build_b's llama-bench (A) against build's (B). A
# store of its own: its B cells run the very commands of h100-ab-fa's B cells
# (same cell ids), and an A/B result counts every stored run of its cells.
phase_ab_builds() {
  "$WORK/build-b/bin/llama-bench" --version > "$RAW/llama-bench-b-version.txt" 2>&1
  plan h100-ab-builds.yaml 100 "$WORK/store-builds"
  nvidia-smi > "$RAW/nvidia-smi-after-builds.txt"
  abtable h100-ab-builds.yaml "$WORK/store-builds"
}

phase_pack() {
  tar -C "$WORK" -cJf "$OUT/gpu-results.tar.xz" $(cd "$WORK" && ls -d store store-builds smoke-store raw 2>/dev/null)
  ls -l "$OUT"
}

for phase in "$@"; do
  log "phase $phase"
  "phase_$phase" || { log "phase $phase failed"; phase_pack; exit 1; }
done
