import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {toDoc} from "../../scripts/document/lines.js";
import type {Format} from "../../scripts/formats/types.js";

/** A format whose unflatten claims every line, so context breaks are applied to it. */
const flattening: Format = {
  id: "flat",
  tool: "flat",
  description: "",
  scan: () => [],
  parse: () => [],
  unflatten: (line) => [line]
};

describe("flattened lines: commands glued to other text become their own logical lines", () => {
  it("splits a vllm serve command, a vllm bench serve command and the output (seed 000's shape)", () => {
    const line =
      "CUDA_VISIBLE_DEVICES=0,1,2,3 vllm serve Qwen3.5-122B-A10B-GPTQ-Int4 -tp 4 --max-model-len 65536 --compilation_config '{\"mode\": 3}' --language-model-only vllm bench serve --dataset-name random --num-prompts 8 --max-concurrency 8 ============ Serving Benchmark Result ============";
    const pieces = toDoc("x", line, [flattening]).lines.map((l) => l.text);
    assert.equal(pieces.length, 2);
    assert.match(pieces[0], /^CUDA_VISIBLE_DEVICES=0,1,2,3 vllm serve .* --language-model-only$/);
    assert.match(pieces[1], /^vllm bench serve --dataset-name random/);
  });

  it("keeps uv run, python -m and environment assignments with their command", () => {
    const pieces = toDoc(
      "x",
      "done. SGLANG_ENABLE_SPEC_V2=1 uv run python -m sglang.launch_server --model Qwen/Qwen3.5-4B then uvx llama-benchy@v0.3.5 --base-url http://127.0.0.1:30000/v1",
      [flattening]
    ).lines.map((l) => l.text);
    assert.deepEqual(pieces, [
      "done.",
      "SGLANG_ENABLE_SPEC_V2=1 uv run python -m sglang.launch_server --model Qwen/Qwen3.5-4B then",
      "uvx llama-benchy@v0.3.5 --base-url http://127.0.0.1:30000/v1"
    ]);
  });

  it("leaves lines that no format unflattens alone", () => {
    const text = "uv run vllm serve Qwen/Qwen3.5-4B vllm bench serve --model x";
    assert.deepEqual(
      toDoc("x", text, []).lines.map((l) => l.text),
      [text]
    );
  });
});
