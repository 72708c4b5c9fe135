#!/usr/bin/env bash
# Capture real outputs of CPU llama.cpp tools (llama-bench, llama-batched-bench,
# llama-server) run on a tiny random-weight model, as test fixtures.
#
# Usage: scripts/llama/capture-fixtures.sh [OUT_DIR]
#   OUT_DIR defaults to test/fixtures/captured/cpu (overwritten file by file).
#
# Needs: bash, curl, python3 (free port only), node/npx with tsx installed in
# the repo, plus whatever scripts/llama/build-cpu.sh needs on the first run.
# Env: BENCHBOOK_VOCAB overrides the vocab GGUF (default: llama-spm vocab of
# the llama.cpp source tree); BENCHBOOK_LLAMA_HOME etc. as in build-cpu.sh.
#
# Every tool runs in a scratch directory holding tiny.gguf / tiny-ctx256.gguf,
# and the tools are found through PATH, so the recorded command lines (and the
# model paths inside the outputs) are exactly what README.md shows.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
OUT_DIR="${1:-$REPO_ROOT/test/fixtures/captured/cpu}"
MAX_FIXTURE_BYTES=$((200 * 1024))
FAIL_VMEM_KB=2097152 # `ulimit -v` for the failing-context runs (2 GiB)

log() { printf '[capture] %s\n' "$*" >&2; }

for tool in curl python3 npx; do
  command -v "$tool" >/dev/null 2>&1 || { log "missing required tool: $tool"; exit 1; }
done

BIN_DIR="$(bash "$SCRIPT_DIR/build-cpu.sh" | tail -n 1)"
LLAMA_HOME="$(cd "$BIN_DIR/../.." && pwd)"
SRC_DIR="$LLAMA_HOME/src"
VOCAB="${BENCHBOOK_VOCAB:-$SRC_DIR/models/ggml-vocab-llama-spm.gguf}"
export PATH="$BIN_DIR:$PATH"

mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/benchbook-capture.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

log "models in $WORK (vocab: $VOCAB)"
(cd "$REPO_ROOT" && npx --no-install tsx scripts/llama/make-tiny-gguf.ts --vocab "$VOCAB" --out "$WORK/tiny.gguf" --ctx 4096)
(cd "$REPO_ROOT" && npx --no-install tsx scripts/llama/make-tiny-gguf.ts --vocab "$VOCAB" --out "$WORK/tiny-ctx256.gguf" --ctx 256)
cd "$WORK"

VERSION_TEXT="$(llama-bench --version 2>&1)" # no `| head`: SIGPIPE + pipefail would abort
BUILD_INFO="${VERSION_TEXT%%$'\n'*}"             # e.g. "version: 0.5.0-dev (build 1, commit de3ff81)"
COMPILER_INFO="${VERSION_TEXT#*$'\n'}"
COMPILER_INFO="${COMPILER_INFO%%$'\n'*}"         # e.g. "built with GNU 12.2.0 for Linux x86_64"
CAPTURE_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# README rows: files, command, exit code, notes (separated by \x1f)
ROWS=()
SEP=$'\x1f'
add_row() { ROWS+=("$1$SEP$2$SEP$3$SEP${4:-}"); }

# run_capture NAME NOTE -- CMD...   (stdout -> NAME.stdout, stderr -> NAME.stderr)
run_capture() {
  local name="$1" note="$2"
  shift 3
  local rc=0
  log "$name: $*"
  "$@" >"$OUT_DIR/$name.stdout" 2>"$OUT_DIR/$name.stderr" || rc=$?
  add_row "\`$name.stdout\`, \`$name.stderr\`" "\`$*\`" "$rc" "$note"
}

# run_capture_vlimit NAME NOTE KB -- CMD...   same, under `ulimit -v KB`
run_capture_vlimit() {
  local name="$1" note="$2" kb="$3"
  shift 4
  local rc=0
  log "$name (ulimit -v $kb): $*"
  (ulimit -v "$kb" && exec "$@") >"$OUT_DIR/$name.stdout" 2>"$OUT_DIR/$name.stderr" || rc=$?
  add_row "\`$name.stdout\`, \`$name.stderr\`" "\`(ulimit -v $kb; $*)\`" "$rc" "$note"
}

# --- llama-bench -------------------------------------------------------------
BENCH=(llama-bench -m tiny.gguf -p 64 -n 16 -d 0,256 -r 3 -t 2)
for fmt in md csv json jsonl sql; do
  run_capture "llama-bench-$fmt" "" -- "${BENCH[@]}" -o "$fmt"
done
run_capture "llama-bench-md-oe-jsonl" "md on stdout and jsonl on stderr in one run" -- "${BENCH[@]}" -o md -oe jsonl
run_capture "llama-bench-progress-md" "--progress lines go to stderr" -- llama-bench -m tiny.gguf -p 64 -n 16 -r 3 -t 2 --progress -o md

for fmt in md jsonl; do
  note="swept -ub/-t: md gets an n_ubatch column"
  [[ "$fmt" == jsonl ]] && note="same sweep as the md one (jsonl always has every field)"
  run_capture "llama-bench-sweep-$fmt" "$note" -- \
    llama-bench -m tiny.gguf -p 64 -n 16 -ub 32,64 -t 1,2 -r 3 -o "$fmt"
done
run_capture "llama-bench-pg-md" "pp+tg test" -- llama-bench -m tiny.gguf -p 64 -n 16 -pg 64,16 -r 3 -t 2 -o md

# Depth beyond the model's trained context is NOT an error for llama.cpp: it
# only logs a warning (visible with -v). Captured verbosely to show that.
run_capture "llama-bench-overctx-verbose-md" "depth 1024 > n_ctx_train 256: succeeds, warning only in the -v log" -- \
  llama-bench -m tiny-ctx256.gguf -p 64 -n 16 -d 0,1024 -r 1 -t 2 -v -o md

# A depth so large the context cannot be allocated. Without a limit the
# allocation may succeed (overcommit) and the kernel OOM-kills the process, so
# address space is capped to get llama.cpp's own error path deterministically.
for fmt in md jsonl; do
  run_capture_vlimit "llama-bench-fail-$fmt" "context allocation fails on the second test (d=100000000)" "$FAIL_VMEM_KB" -- \
    llama-bench -m tiny.gguf -p 64 -n 16 -d 0,100000000 -r 3 -t 2 -o "$fmt"
done

# --- llama-batched-bench -----------------------------------------------------
BBENCH=(llama-batched-bench -m tiny.gguf -c 2048 -b 2048 -ub 512 -npp 32,64 -ntg 16 -npl 1,2 -t 2)
run_capture "llama-batched-bench-md" "" -- "${BBENCH[@]}"
run_capture "llama-batched-bench-jsonl" "" -- "${BBENCH[@]}" --output-format jsonl

# --- llama-server ------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# start_server NAME ARGS...   (logs -> NAME.stdout / NAME.stderr)
SERVER_NAME=""
SERVER_CMD=""
SERVER_ROW=0
start_server() {
  SERVER_NAME="$1"
  shift
  PORT="$(free_port)"
  SERVER_CMD="$* --host 127.0.0.1 --port PORT"
  log "$SERVER_NAME: $* --host 127.0.0.1 --port $PORT"
  "$@" --host 127.0.0.1 --port "$PORT" >"$OUT_DIR/$SERVER_NAME.stdout" 2>"$OUT_DIR/$SERVER_NAME.stderr" &
  SERVER_PID=$!
  SERVER_ROW=${#ROWS[@]}
  add_row "" "" "" "" # placeholder, filled in by stop_server so the server comes before its requests
  local i
  for i in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { log "server exited early"; cat "$OUT_DIR/$SERVER_NAME.stderr" >&2; exit 1; }
    sleep 0.2
  done
  log "server did not become healthy"
  exit 1
}

stop_server() {
  local rc=0
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=""
  ROWS[SERVER_ROW]="\`$SERVER_NAME.stdout\`, \`$SERVER_NAME.stderr\`$SEP\`$SERVER_CMD\`$SEP$rc${SEP}server log; stopped with SIGTERM after the requests below"
}

# http NAME EXT METHOD PATH [JSON_BODY] [NOTE] [BODY_AS_SHOWN_IN_README]
#   (response body -> NAME.EXT, response headers -> NAME.headers)
http() {
  local name="$1" ext="$2" method="$3" path="$4" body="${5:-}" note="${6:-}" shown_body="${7:-${5:-}}"
  local code
  local args=(-sS -N -X "$method" -D "$OUT_DIR/$name.headers" -o "$OUT_DIR/$name.$ext" -w '%{http_code}')
  if [[ -n "$body" ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary "$body")
  fi
  log "$name: $method $path"
  code="$(curl "${args[@]}" "http://127.0.0.1:$PORT$path")"
  local shown="curl -X $method http://127.0.0.1:PORT$path"
  [[ -n "$body" ]] && shown+=" -H 'Content-Type: application/json' -d '$shown_body'"
  add_row "\`$name.$ext\`, \`$name.headers\`" "\`$shown\`" "HTTP $code" "$note"
}

start_server llama-server llama-server -m tiny.gguf -c 1024 -np 1 -t 2 --metrics
http llama-server-health json GET /health
http llama-server-models json GET /v1/models
http llama-server-props json GET /props
http llama-server-chat json POST /v1/chat/completions \
  '{"messages":[{"role":"user","content":"Write a haiku about benchmarks."}],"max_tokens":16,"temperature":0,"seed":42}' \
  "non-streaming; has a timings object"
http llama-server-chat-stream sse POST /v1/chat/completions \
  '{"messages":[{"role":"user","content":"Count from one to ten."}],"max_tokens":16,"temperature":0,"seed":42,"stream":true,"stream_options":{"include_usage":true}}' \
  "raw SSE bytes"
http llama-server-completion json POST /completion \
  '{"prompt":"The quick brown fox","n_predict":16,"temperature":0,"seed":42}' \
  "native endpoint, non-streaming"
http llama-server-completion-stream sse POST /completion \
  '{"prompt":"Once upon a time","n_predict":16,"temperature":0,"seed":42,"stream":true}' \
  "native endpoint, raw SSE bytes"
http llama-server-metrics txt GET /metrics "" "Prometheus text (needs --metrics)"
stop_server

# Context overflow: the server's default context is the model's
# llama.context_length (256 here); a longer prompt is rejected with HTTP 400.
LONG_PROMPT="$(python3 -c 'print(" ".join(["benchmark"] * 400))')"
start_server llama-server-ctx256 llama-server -m tiny-ctx256.gguf -np 1 -t 2
http llama-server-ctx256-exceeded json POST /v1/chat/completions \
  "{\"messages\":[{\"role\":\"user\",\"content\":\"$LONG_PROMPT\"}],\"max_tokens\":16}" \
  "prompt longer than the context" \
  '{"messages":[{"role":"user","content":"benchmark benchmark ... (\"benchmark\" 400 times, space-separated)"}],"max_tokens":16}'
stop_server

# Keep the bytes verbatim in git (CRLF in .headers, SSE framing, trailing blanks).
printf '# verbatim captured bytes: no EOL conversion, no diff whitespace checks\n* -text -whitespace\n' >"$OUT_DIR/.gitattributes"

# --- README --------------------------------------------------------------------
{
  cat <<EOF
# Captured CPU llama.cpp outputs

Real stdout/stderr (and HTTP responses) of llama.cpp tools, captured verbatim
by \`scripts/llama/capture-fixtures.sh\` (re-run it to refresh every file here).
Do not hand-edit these files.

- llama.cpp: \`$BUILD_INFO\`, $COMPILER_INFO
  (source: the \`llama/gitRelease.bundle\` of npm \`node-llama-cpp@${BENCHBOOK_NODE_LLAMA_CPP:-3.22.1}\`,
  release tag \`$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tag"])' "$LLAMA_HOME/pkg/package/llama/llama.cpp.info.json")\`;
  the bundle is a single squashed commit, so llama.cpp reports build number 1).
  CPU-only static build from \`scripts/llama/build-cpu.sh\`.
- Captured: $CAPTURE_DATE on $(uname -s) $(uname -m), $(nproc) cores.
- Model: \`tiny.gguf\` = \`npx tsx scripts/llama/make-tiny-gguf.ts --vocab models/$(basename "$VOCAB") --out tiny.gguf --ctx 4096\`
  (llama arch, n_embd 64, 2 layers, 4/2 heads, n_ff 128, F16, random weights, seed 42,
  tokenizer from \`$(basename "$VOCAB")\` of the llama.cpp source).
  \`tiny-ctx256.gguf\` is the same with \`--ctx 256\`.
- Commands ran in a scratch directory containing the models, with the llama.cpp
  bin directory on PATH; \`PORT\` is a random free port (it appears in the logs).
- Exit codes: \`rc\` below. \`.headers\` files hold the raw HTTP response headers.

| files | command | rc | notes |
| --- | --- | --- | --- |
EOF
  for row in "${ROWS[@]}"; do
    IFS="$SEP" read -r files cmd rc note <<<"$row"
    printf '| %s | %s | %s | %s |\n' "${files//|/\\|}" "${cmd//|/\\|}" "$rc" "${note//|/\\|}"
  done
  cat <<'EOF'

## Observations

llama-bench
- `md` writes nothing to stderr on success; after the table come a blank line
  and `build: <commit> (<number>)`. The `t/s` cell is `avg ± stddev`.
  `threads` is always a column on CPU; swept parameters add columns (`-ub 32,64`
  adds `n_ubatch`). Tests are named `pp64`, `tg16`, `pp64 @ d256`,
  `tg16 @ d256`, and `-pg 64,16` gives `pp64+tg16`. `model` is
  `llama ?B F16` (size class unknown for a 2-layer model).
- `csv`/`json`/`jsonl`/`sql` share one field list (`build_commit`,
  `build_number`, `cpu_info`, `gpu_info`, `backends`, `model_filename`,
  `model_type`, `model_size`, `model_n_params`, ..., `n_prompt`, `n_gen`,
  `n_depth`, `test_time`, `avg_ns`, `stddev_ns`, `avg_ts`, `stddev_ts`) and
  always carry every field, swept or not; only `json`/`jsonl` add `samples_ns`
  and `samples_ts`. `csv` quotes every value; `sql` quotes every value as a
  string even for INTEGER/REAL columns. `flash_attn` is the number `-1` (auto).
  `samples_ts` is printed
  with 6 significant digits, so large values look like integers. jsonl has a
  formatting quirk: `"samples_ns": [ ... ],"samples_ts": [ ... ]` (no space).
  `model_filename` is the `-m` argument verbatim. `cpu_info` is the short CPU
  brand (e.g. `AMD EPYC`), `gpu_info` is empty on CPU.
- A failed run exits 1. Rows of completed tests are already on stdout (md: the
  table just stops, no `build:` footer; jsonl: complete lines only), and stderr
  has `llama_bench: error: failed to create context with model 'tiny.gguf'`.
  The failure is forced with a huge depth under `ulimit -v`: without a cap,
  Linux overcommit lets the allocation "succeed" and the process is OOM-killed
  (exit 137) instead.
- A depth beyond the model's `context_length` is NOT an error for llama-bench:
  it sizes the context as n_prompt + n_gen + n_depth and only logs
  `n_ctx_seq (1280) > n_ctx_train (256) -- possible training context overflow`
  (visible with `-v`, see `llama-bench-overctx-verbose-md.stderr`).
- `--progress` lines (`llama-bench: benchmark 1/2: prompt run 1/3`) go to stderr.

llama-batched-bench
- md: stdout starts with a blank line and a
  `llama_batched_bench: n_kv_max = ..., is_tg_separate = 0, ...` line; the
  table columns are `PP TG B N_KV T_PP s S_PP t/s T_TG s S_TG t/s T s S t/s`
  and are not width-stable (wide numbers push the cell). jsonl fields:
  `n_kv_max, n_batch, n_ubatch, flash_attn, is_pp_shared, n_gpu_layers,
  n_threads, n_threads_batch, pp, tg, pl, n_kv, t_pp, speed_pp, t_tg,
  speed_tg, t, speed` (times in seconds).
- stderr uses the common timestamped log format (`0.00.030.005 W load: ...`).

llama-server
- All logging goes to stderr (stdout is empty). Per task it logs
  `slot print_timing: id  0 | task N | prompt eval time = X ms / N tokens (... ms per token, ... tokens per second)`,
  then `eval time = ...`, `total time = ...`, `graphs reused = ...`.
- `timings` object: `cache_n, prompt_n, prompt_ms, prompt_per_token_ms,
  prompt_per_second, predicted_n, predicted_ms, predicted_per_token_ms,
  predicted_per_second`. In the OpenAI SSE stream with
  `stream_options.include_usage` it sits on the extra last chunk with
  `"choices":[]` and `usage` (without include_usage it rides on the
  `finish_reason` chunk); the stream ends with `data: [DONE]`.
  The native `/completion` stream sends one chunk per token and a final
  `"stop":true` chunk with `timings`, and has no `[DONE]`.
- Prompt caching is on by default: later requests report `cache_n` > 0 /
  `cached_tokens` because they share the chat-template prefix.
- The vocab has no chat template, so the server falls back to a ChatML-like
  template (see `/props`); `system_fingerprint` is `b<build>-<commit>`.
- The server's default context is the model's `context_length`; a longer
  prompt gets HTTP 400 with `"type":"exceed_context_size_error"`,
  `n_prompt_tokens` and `n_ctx`.
- SIGTERM makes the server exit 0 after `cleaning up before exit...`.
EOF
} >"$OUT_DIR/README.md"

# --- size check ----------------------------------------------------------------
too_big=0
for f in "$OUT_DIR"/*; do
  size=$(wc -c <"$f")
  if ((size > MAX_FIXTURE_BYTES)); then
    log "fixture too large: $f ($size bytes)"
    too_big=1
  fi
done
((too_big == 0)) || exit 1
log "done: $OUT_DIR"
