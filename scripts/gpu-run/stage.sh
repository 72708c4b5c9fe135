#!/usr/bin/env bash
# Put what scripts/gpu-run/run.sh needs on a machine without Node.js or
# network into one folder (default .gpu/ of this checkout, which must be
# git-ignored): Node.js (xz), benchbook bundled (scripts/cli/bundle.mjs), llama.cpp's source
# (xz, from scripts/llama/build-cpu.sh's cache), the model writer and plans.
# LLAMA_SRC_B=<a second llama.cpp source> adds it as llama-src-b.* for a
# cross-build A/B (run.sh's build_b phase). Everything here travels with the
# device tool's working tree (64 MiB in all), hence xz everywhere.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
stage="${1:-$repo/.gpu}"
src="${BENCHBOOK_LLAMA_HOME:-$HOME/.cache/benchbook/llama.cpp-3.22.1}/src"
mkdir -p "$stage/plans"
[[ -s "$stage/node.xz" ]] || xz -T0 -6 -c "$(command -v node)" > "$stage/node.xz"
pack_src() { # SOURCE NAME: NAME.tar.xz and the commit and count run.sh gives its build-info
  [[ -s "$stage/$2.tar.xz" ]] || tar -C "$1" --exclude=./.git --exclude=./docs --exclude=./media --exclude='./models/*' -cf - . | xz -T0 -6 > "$stage/$2.tar.xz"
  git -C "$1" rev-parse --short HEAD > "$stage/$2.commit"
  git -C "$1" rev-list --count HEAD > "$stage/$2.number"
}
pack_src "$src" llama-src
[[ -z "${LLAMA_SRC_B:-}" ]] || pack_src "$LLAMA_SRC_B" llama-src-b
[[ -s "$stage/ggml-vocab-llama-bpe.gguf.xz" ]] || xz -T0 -6 -c "$src/models/ggml-vocab-llama-bpe.gguf" > "$stage/ggml-vocab-llama-bpe.gguf.xz"
(cd "$repo" && node scripts/cli/bundle.mjs --out "$stage/benchbook" >/dev/null)
cp "$here/run.sh" "$repo/scripts/llama/make-random-gguf.py" "$stage/"
cp "$here"/plans/*.yaml "$stage/plans/"
du -sh "$stage"
