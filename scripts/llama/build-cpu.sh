#!/usr/bin/env bash
# Build a CPU-only llama.cpp (llama-bench, llama-server, llama-batched-bench,
# llama-cli) for benchbook's tests.
#
# The llama.cpp source is the git bundle that the npm package node-llama-cpp
# ships (llama/gitRelease.bundle), so nothing but the npm registry is needed.
# node-llama-cpp itself is NOT installed: `npm pack` only downloads its
# tarball (no dependencies, no prebuilt binaries).
#
# Everything lives outside the repository, in
#   ${BENCHBOOK_LLAMA_HOME:-$HOME/.cache/benchbook/llama.cpp-<node-llama-cpp version>}
#     pkg/     node-llama-cpp tarball, unpacked
#     src/     git clone of the bundle (models/ggml-vocab-*.gguf live here)
#     build/   cmake build tree; binaries in build/bin
#     build.log  configure + build output of the last build
#
# Idempotent: when the binaries already exist nothing is done.
# The build uses GGML_NATIVE (-march=native, the llama.cpp default): do not
# share the cache between machines with different CPUs, or pass
# BENCHBOOK_LLAMA_CMAKE_ARGS=-DGGML_NATIVE=OFF.
# Measured: ~7.5 min from scratch on a 2-core x86_64 VM (npm pack + clone +
# configure + build of the four targets); llama-cli adds ~11 s of that.
# The last line on stdout is always the absolute bin directory.
#
# Environment:
#   BENCHBOOK_LLAMA_HOME        cache directory (see above)
#   BENCHBOOK_NODE_LLAMA_CPP    node-llama-cpp version (default 3.22.1)
#   BENCHBOOK_LLAMA_CMAKE_ARGS  extra cmake configure arguments (word-split),
#                               e.g. "-DGGML_NATIVE=OFF" for a portable build
#   BENCHBOOK_LLAMA_JOBS        parallel jobs (default: nproc)
#   BENCHBOOK_LLAMA_FORCE=1     rebuild even if the binaries exist
set -euo pipefail

NLC_VERSION="${BENCHBOOK_NODE_LLAMA_CPP:-3.22.1}"
LLAMA_HOME="${BENCHBOOK_LLAMA_HOME:-$HOME/.cache/benchbook/llama.cpp-$NLC_VERSION}"
JOBS="${BENCHBOOK_LLAMA_JOBS:-$(nproc 2>/dev/null || echo 2)}"

PKG_DIR="$LLAMA_HOME/pkg"
SRC_DIR="$LLAMA_HOME/src"
BUILD_DIR="$LLAMA_HOME/build"
BIN_DIR="$BUILD_DIR/bin"

TARGETS=(llama-bench llama-server llama-batched-bench llama-cli)

log() { printf '[build-cpu] %s\n' "$*" >&2; }

have_all_binaries() {
  local t
  for t in "${TARGETS[@]}"; do
    [[ -x "$BIN_DIR/$t" ]] || return 1
  done
  return 0
}

if [[ "${BENCHBOOK_LLAMA_FORCE:-0}" != "1" ]] && have_all_binaries; then
  log "binaries already present in $BIN_DIR"
  echo "$BIN_DIR"
  exit 0
fi

for tool in npm git cmake tar; do
  command -v "$tool" >/dev/null 2>&1 || { log "missing required tool: $tool"; exit 1; }
done

mkdir -p "$LLAMA_HOME"
start_ts=$(date +%s)

# 1. node-llama-cpp tarball (only the tarball; no install, no dependencies).
if [[ ! -f "$PKG_DIR/package/llama/gitRelease.bundle" ]]; then
  log "fetching node-llama-cpp@$NLC_VERSION tarball with npm pack"
  rm -rf "$PKG_DIR.tmp"
  mkdir -p "$PKG_DIR.tmp"
  (cd "$PKG_DIR.tmp" && npm pack --silent "node-llama-cpp@$NLC_VERSION" >/dev/null)
  tarball=$(ls "$PKG_DIR.tmp"/node-llama-cpp-*.tgz)
  tar -xzf "$tarball" -C "$PKG_DIR.tmp" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json package/package.json
  rm -f "$tarball"
  rm -rf "$PKG_DIR"
  mv "$PKG_DIR.tmp" "$PKG_DIR"
fi
log "llama.cpp release per node-llama-cpp: $(tr -d ' \n' < "$PKG_DIR/package/llama/llama.cpp.info.json")"

# 2. Clone the bundle.
if [[ ! -f "$SRC_DIR/CMakeLists.txt" ]]; then
  log "cloning $PKG_DIR/package/llama/gitRelease.bundle"
  rm -rf "$SRC_DIR.tmp"
  git -c advice.detachedHead=false clone --quiet "$PKG_DIR/package/llama/gitRelease.bundle" "$SRC_DIR.tmp"
  rm -rf "$SRC_DIR"
  mv "$SRC_DIR.tmp" "$SRC_DIR"
fi
log "source commit: $(git -C "$SRC_DIR" rev-parse HEAD)"

# 3. Configure: CPU only, static, no tests/examples/app, no network at build
#    time (no prebuilt web UI download, no npm UI build, no OpenSSL/CURL).
# shellcheck disable=SC2206
extra_args=(${BENCHBOOK_LLAMA_CMAKE_ARGS:-})
BUILD_LOG="$LLAMA_HOME/build.log"
: >"$BUILD_LOG"
run_logged() {
  if ! "$@" >>"$BUILD_LOG" 2>&1; then
    log "command failed: $*"
    log "last lines of $BUILD_LOG:"
    tail -n 60 "$BUILD_LOG" >&2
    exit 1
  fi
}
log "configuring in $BUILD_DIR (log: $BUILD_LOG)"
run_logged cmake -S "$SRC_DIR" -B "$BUILD_DIR" \
  -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_TOOLS=ON \
  -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_BUILD_APP=OFF \
  -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_OPENSSL=OFF \
  -DLLAMA_LLGUIDANCE=OFF \
  -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_HIP=OFF \
  -DGGML_SYCL=OFF -DGGML_OPENCL=OFF -DGGML_RPC=OFF -DGGML_BLAS=OFF \
  -DGGML_BACKEND_DL=OFF \
  "${extra_args[@]}"

# 4. Build only the needed targets.
log "building ${TARGETS[*]} with -j$JOBS"
run_logged cmake --build "$BUILD_DIR" --config Release -j "$JOBS" --target "${TARGETS[@]}"

if ! have_all_binaries; then
  log "build finished but binaries are missing from $BIN_DIR"
  exit 1
fi

end_ts=$(date +%s)
log "build took $((end_ts - start_ts)) s"
"$BIN_DIR/llama-bench" --version >&2 || true
echo "$BIN_DIR"
