import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {fixtureText, read} from "../../helpers/fixtures.js";

/**
 * Seed 003's configuration A: the writer's one-line digests of vLLM's log,
 * under the podman command that started vLLM. The prose around the blocks is
 * our own; the blocks are copied from the seed.
 */
const command = [
  "  podman run --rm \\",
  "  --name test-model \\",
  "  --device nvidia.com/gpu=0 \\",
  "  -p 8000:8000 \\",
  "  -e HF_HUB_OFFLINE=1 \\",
  "  registry.home.arpa/vllm/vllm-openai:v0.21.0-ubuntu2404 \\",
  "  /hf/hub/models--nvidia--Gemma-4-31B-IT-NVFP4/snapshots/e5ef03afa233c35cb000323ff098d4291e1dd07c \\",
  "  --kv-cache-dtype fp8 \\",
  "  --max-num-seqs 1 \\",
  '  --speculative-config \'{"model":"/hf/hub/models--google--gemma-4-31B-it-assistant/snapshots/4735700dca7bd22fad5dc348c228b50ec6cbac6d","num_speculative_tokens":4}\' \\',
  "  --max-model-len 262144"
].join("\n");

describe("vllm-log-summary: seed 003's digest lines", () => {
  const digest = fixtureText("logs/seed-003-vllm-digest.txt");
  const text = `Configuration A, vLLM with MTP.\n\n${command}\n\nThe log during the run said:\n\n${digest}\nThat is all for A.\n`;
  const {stored, reading} = read(text, "post.md");
  const run = stored.runs.find((r) => r.format === "vllm-log-summary")!;
  const points = run.results.filter((r) => r.scope === "interval");

  it("names the tool honestly and says what these lines are", () => {
    assert.equal(run.tool, "vllm-log-summary");
    assert.equal(run.runtime, "vllm");
    assert.ok(run.notes.some((n) => n.includes("not a format vLLM prints")));
    assert.equal(run.origin, undefined, "the figures were measured by vLLM; the writer only copied them");
    assert.equal(reading.blocks.find((b) => b.format === "vllm-log-summary")!.confidence, 0.7);
  });

  it("reads every printed figure, in order, as time-series points", () => {
    const oracle = [
      ...digest.matchAll(
        /Generation throughput:\s*([\d.]+) tok\/s\s+acceptance length:\s*([\d.]+)\s+draft acceptance:\s*([\d.]+)%/g
      )
    ].map((m) => m.slice(1).map(Number));
    assert.equal(oracle.length, 4);
    assert.deepEqual(
      oracle.map((_, i) => points.filter((r) => r.seq === i).map((r) => r.value)),
      oracle
    );
    const first = points.slice(0, 3);
    assert.deepEqual(
      first.map((r) => [r.metric, r.unit, r.stat, r.text]),
      [
        ["throughput", "tok/s", "interval_mean", "Generation throughput: 95.9 tok/s"],
        ["acceptance_length", "tokens", "interval_mean", "acceptance length: 4.28"],
        ["acceptance_rate", "%", "interval_mean", "draft acceptance: 82.0%"]
      ]
    );
  });

  it("derives median, max and the p25–p75 band from the printed lines", () => {
    const tp = (stat: string) => run.results.find((r) => r.metric === "throughput" && r.stat === stat)!;
    // Printed: 95.9, 95.3, 109.8, 107.6 → sorted 95.3, 95.9, 107.6, 109.8.
    assert.deepEqual(
      [tp("median").value, tp("max").value, tp("range_low").value, tp("range_high").value],
      [95.9, 109.8, 95.3, 107.6]
    );
    assert.equal(tp("max").line, text.split("\n").findIndex((l) => l.includes("109.8")) + 1);
    assert.equal(tp("median").extra?.derived_from, "interval");
  });

  it("takes model and settings from the container command; vLLM's version is the runtime's", () => {
    assert.equal(
      run.model.file,
      "/hf/hub/models--nvidia--Gemma-4-31B-IT-NVFP4/snapshots/e5ef03afa233c35cb000323ff098d4291e1dd07c"
    );
    assert.equal(run.model.quant, "NVFP4", "from the repository named in the Hugging Face cache path");
    assert.equal(run.settings["kv-cache-dtype"], "fp8");
    assert.equal(run.settings["max-model-len"], 262144);
    assert.match(String(run.settings["speculative-config"]), /"num_speculative_tokens":4/);
    assert.equal(run.tool_version, null);
    assert.equal(run.extra.runtime_version, "v0.21.0-ubuntu2404");
  });

  it("does not take the writer's prose summaries (`up to 115.3 tok/s`)", () => {
    assert.throws(
      () =>
        read("Generation throughput: up to 115.3 tok/s\nTypical active generation: around 80-100 tok/s\n", "b.txt", {
          format: "vllm-log-summary"
        }),
      /none found/
    );
  });
});
