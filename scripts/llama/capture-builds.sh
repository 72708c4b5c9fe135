#!/usr/bin/env bash
# Capture real llama-bench outputs of two llama.cpp builds, interleaved
# (A B A B …), as history fixtures: the same command, tiny model and settings
# on both, so that only the build differs.
#
# Usage: scripts/llama/capture-builds.sh BIN_A BIN_B [OUT_DIR] [ROUNDS]
#   BIN_A, BIN_B  bin directories of the two builds (build-cpu.sh prints one:
#                 BENCHBOOK_NODE_LLAMA_CPP=<version> BENCHBOOK_LLAMA_HOME=<dir>)
#   OUT_DIR       default test/fixtures/captured/builds (overwritten file by file)
#   ROUNDS        invocations per build (default 5)
#
# Each invocation runs `llama-bench -m tiny.gguf -p 512 -n 128 -r 5 -t 1 -o jsonl`
# in a scratch directory holding tiny.gguf, with the build's bin directory
# first in PATH, so the outputs differ by the build alone. Files:
#   <commit>-<round>.jsonl / .stderr  stdout and stderr, verbatim
#   README.md                         versions, date, the commands, exit codes
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
[[ $# -ge 2 ]] || { echo "usage: $0 BIN_A BIN_B [OUT_DIR] [ROUNDS]" >&2; exit 2; }
BINS=("$(cd "$1" && pwd)" "$(cd "$2" && pwd)")
OUT_DIR="${3:-$REPO_ROOT/test/fixtures/captured/builds}"
ROUNDS="${4:-5}"
COMMAND=(llama-bench -m tiny.gguf -p 512 -n 128 -r 5 -t 1 -o jsonl)

log() { printf '[capture-builds] %s\n' "$*" >&2; }

mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/benchbook-builds.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# The same model for both: the vocab of build A's source tree.
VOCAB="$(cd "${BINS[0]}/../.." && pwd)/src/models/ggml-vocab-llama-spm.gguf"
(cd "$REPO_ROOT" && npx --no-install tsx scripts/llama/make-tiny-gguf.ts --vocab "$VOCAB" --out "$WORK/tiny.gguf" --ctx 4096 >&2)

versions=()
commits=()
sources=()
for bin in "${BINS[@]}"; do
  pkg="$(cd "$bin/../.." && pwd)/pkg/package"
  if [[ -f "$pkg/package.json" ]]; then
    sources+=("the \`llama/gitRelease.bundle\` of npm \`node-llama-cpp@$(node -p "require('$pkg/package.json').version")\`, llama.cpp release \`$(node -p "require('$pkg/llama/llama.cpp.info.json').tag")\`, source commit \`$(git -C "$bin/../../src" rev-parse HEAD)\`")
  else
    sources+=("source commit \`$(git -C "$bin/../../src" rev-parse HEAD 2>/dev/null || echo unknown)\`")
  fi
  # The commit llama.cpp's build embeds (7 hex digits); older llama-bench has no --version.
  commits+=("$(git -C "$bin/../../src" rev-parse --short=7 HEAD)")
  if text="$("$bin/llama-bench" --version 2>&1)"; then versions+=("${text%%$'\n'*}"); else versions+=("no --version (this llama-bench lacks the option)"); fi
done
[[ "${commits[0]}" != "${commits[1]}" ]] || { log "both builds report commit ${commits[0]}: not two builds"; exit 1; }
COMPILER="$(sed -n 's/^-- The CXX compiler identification is /compiled with /p' "${BINS[0]}/../../build.log" | head -n 1)"
DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

rows=()
cd "$WORK"
for ((round = 1; round <= ROUNDS; round++)); do
  for side in 0 1; do
    name="${commits[$side]}-$round"
    log "round $round: ${versions[$side]}"
    rc=0
    PATH="${BINS[$side]}:$PATH" "${COMMAND[@]}" >"$OUT_DIR/$name.jsonl" 2>"$OUT_DIR/$name.stderr" || rc=$?
    rows+=("| \`$name.jsonl\`, \`$name.stderr\` | ${commits[$side]} | $round | $rc |")
  done
done

{
  echo "# Two llama.cpp builds, interleaved"
  echo
  echo "Real \`llama-bench\` outputs of two different llama.cpp releases, captured"
  echo "verbatim by \`scripts/llama/capture-builds.sh\` (re-run it to refresh every file"
  echo "here). Do not hand-edit these files."
  echo
  echo "- Command, in a scratch directory holding \`tiny.gguf\`, with the build's bin"
  echo "  directory first in PATH: \`${COMMAND[*]}\`"
  echo "- Order: A B A B … ($ROUNDS rounds), so that load on the machine falls on both builds alike."
  echo "- A: \`${versions[0]}\`, from ${sources[0]}"
  echo "- B: \`${versions[1]}\`, from ${sources[1]}"
  echo "- Both: $COMPILER; CPU-only static builds from \`scripts/llama/build-cpu.sh\`."
  echo "- Model: \`tiny.gguf\` = \`npx tsx scripts/llama/make-tiny-gguf.ts --vocab models/ggml-vocab-llama-spm.gguf --out tiny.gguf --ctx 4096\`"
  echo "- Captured: $DATE on $(uname -s) $(uname -m), $(nproc) cores (a machine shared with other jobs)."
  echo
  echo "| files | build | round | rc |"
  echo "| --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} >"$OUT_DIR/README.md"
log "wrote $OUT_DIR"
