/**
 * Bytes and FLOPs per token and each result's share of its hardware's peak,
 * on real runs: the bundled store's writeups (seeds 000–002) and figures
 * computed here by hand from the printed numbers.
 */
import assert from "node:assert/strict";
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {bytesPerToken, flopsPerToken, modelCost} from "../../scripts/efficiency/cost.js";
import {resultEfficiency, runEfficiency} from "../../scripts/efficiency/efficiency.js";
import {toRow} from "../../scripts/schema/row.js";
import type {Run} from "../../scripts/schema/schema.js";
import {emptyModel} from "../../scripts/schema/schema.js";
import {readFixture} from "../helpers/fixtures.js";

const close = (actual: number | null | undefined, expected: number, tolerance = 1e-9, what = "") =>
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) <= tolerance * Math.abs(expected),
    `${what}: ${actual} ≠ ${expected}`
  );

const storeRuns = (): Run[] =>
  readdirSync("data/runs").flatMap((f) => JSON.parse(readFileSync(join("data/runs", f), "utf8")).runs as Run[]);

describe("bytes and FLOPs per token", () => {
  it("counts the file's bytes for a dense model, the printed size in its unit", () => {
    const run = readFixture("seeds/001-rtx4090-m4.txt").stored.runs.find((r) => r.model.name === "qwen35 9B Q8_0")!;
    const cost = modelCost(run, run.model, run.settings);
    close(cost.weightBytes, 8.86 * 2 ** 30);
    close(cost.activeParams, 8.95e9);
    assert.equal(cost.kvBytesPerContextToken, null); // llama-bench prints no layer counts
    close(bytesPerToken(cost, 0, 64), 8.86 * 2 ** 30); // depth 0: weights (the cache of 64 tokens left out)
    assert.equal(bytesPerToken(cost, 16384, 64), null); // deeper: the cache's shape is unknown
    close(flopsPerToken(cost, 0, 1024), 2 * 8.95e9);
    assert.equal(flopsPerToken(cost, 16384, 1024), null);
  });

  it("takes a MoE's active share from llama.cpp's label (35B.A3B)", () => {
    const run = readFixture("seeds/001-rtx4090-m4.txt").stored.runs.find((r) =>
      r.model.file?.endsWith("Qwen3.5-35B-A3B-UD-Q4_K_XL.gguf")
    )!;
    const cost = modelCost(run, run.model, run.settings);
    assert.equal(cost.moe, "label");
    close(cost.weightBytes, 20.7 * 2 ** 30 * (3e9 / 34.66e9));
    close(cost.activeParams, 3e9);
  });

  it("adds the KV cache at depth from the load log's shape and the cache type (seed 002: hybrid, q4_0)", () => {
    const run = storeRuns().find((r) => r.id === "4c57437d8f28-L1")!;
    assert.equal(run.settings.type_k, "q4_0");
    const cost = modelCost(run, run.model, run.settings);
    // 40 layers, one in 4 with attention: 10 × 2 KV heads × (256 + 256) × 18/32 bytes.
    close(cost.kvBytesPerContextToken, 10 * 2 * 512 * (18 / 32));
    close(bytesPerToken(cost, 4096, 128), cost.weightBytes! + 5760 * (4096 + 63.5));
    // The same model with an f16 cache reads 32/9 times as much cache per token.
    close(
      modelCost(run, run.model, {...run.settings, type_k: "f16", type_v: "f16"}).kvBytesPerContextToken,
      10 * 2 * 512 * 2
    );
  });

  it("uses GGUF expert counts when the load log prints them, and knows no share for a MoE it cannot tell", () => {
    const run = {
      runtime: "llama.cpp",
      extra: {
        model_metadata: {
          n_layer: "48",
          n_embd: "2048",
          n_expert: "128",
          n_expert_used: "8",
          n_ff_exp: "768",
          n_head: "32",
          n_head_kv: "4",
          n_embd_head_k: "128"
        }
      },
      settings: {}
    } as unknown as Run;
    const model = {...emptyModel(), n_params: 30_532_122_624, size_bytes: 18_556_682_240, architecture: "qwen3moe"};
    const cost = modelCost(run, model, {});
    const expertParams = 48 * 128 * 3 * 2048 * 768;
    const active = 30_532_122_624 - expertParams * (1 - 8 / 128);
    assert.equal(cost.moe, "experts");
    close(cost.activeParams, active);
    close(cost.weightBytes, 18_556_682_240 * (active / 30_532_122_624));
    close(cost.kvBytesPerContextToken, 48 * 4 * (128 * 2 + 128 * 2));
    close(cost.attentionFlopsPerContextToken, 2 * 48 * 32 * 256);
    close(flopsPerToken(cost, 0, 512), 2 * active + 2 * 48 * 32 * 256 * 256.5);
    const unknown = modelCost(
      {runtime: "llama.cpp", extra: {}, settings: {}} as unknown as Run,
      {...model, name: "qwen3moe ?B Q4_K - Medium"},
      {}
    );
    assert.equal(unknown.weightBytes, null);
    assert.equal(unknown.activeParams, null);
  });
});

describe("each result against its hardware's peak", () => {
  it("puts seed 001's RTX 4090 tg at the bandwidth share computed by hand", () => {
    const run = readFixture("seeds/001-rtx4090-m4.txt").stored.runs.find((r) => r.model.name === "qwen35 9B Q8_0")!;
    const tg = run.results.find((r) => r.test === "tg64")!;
    assert.equal(tg.value, 84.54);
    const row = toRow(run, tg, false);
    assert.equal(row.peak_device, "NVIDIA GeForce RTX 4090");
    assert.equal(row.peak_bw_gbs, 1008);
    close(row.bw_util as number, (84.54 * 8.86 * 2 ** 30) / 1008e9);
    assert.ok(Math.abs((row.bw_util as number) - 0.798) < 0.001);
    const pp = run.results.find((r) => r.test === "pp1024")!;
    const ppRow = toRow(run, pp, false);
    close(ppRow.compute_util as number, (pp.value! * 2 * 8.95e9) / 330.3e12);
    assert.equal(ppRow.bw_util, null);
    assert.equal(row.compute_util, null);
  });

  it("sums four RTX 3080 20GB for seed 000's splits, the split mode beside it", () => {
    const runs = readFixture("seeds/000-4x3080-split.txt").stored.runs.filter(
      (r) => r.model.architecture === "mistral3"
    );
    for (const [mode, value] of [
      ["layer", 10.37],
      ["tensor", 21.59]
    ] as const) {
      const run = runs.find((r) => r.settings.split_mode === mode)!;
      const row = toRow(
        run,
        run.results.find((r) => r.test === "tg128")!,
        false
      );
      assert.equal(row.split_mode, mode);
      assert.equal(row.peak_device, "4× NVIDIA GeForce RTX 3080 20GB");
      close(row.peak_bw_gbs as number, 4 * 760.3);
      close(row.bw_util as number, (value * 62.51 * 2 ** 30) / (4 * 760.3e9));
    }
  });

  it("gives no ratio for batched, partly offloaded, speculative or failed results", () => {
    const run = readFixture("seeds/001-rtx4090-m4.txt").stored.runs.find((r) => r.model.name === "qwen35 9B Q8_0")!;
    const tg = run.results.find((r) => r.test === "tg64")!;
    const at = (settings: Record<string, string | number>, change: object = {}) =>
      resultEfficiency(runEfficiency({...run, settings: {...run.settings, ...settings}}, tg), {...tg, ...change})
        .bw_util;
    assert.ok(at({})! > 0);
    assert.equal(at({}, {concurrency: 4}), null);
    assert.equal(at({n_gpu_layers: 0}), null);
    assert.equal(at({n_cpu_moe: 20}), null);
    assert.equal(at({tensor_buft_overrides: "exps=CPU"}), null);
    assert.equal(at({"speculative-num-steps": 3}), null);
    assert.equal(at({}, {status: "oom", value: null}), null);
    assert.equal(at({}, {metric: "duration", unit: "ns"}), null);
  });

  it("gives every tg throughput of the bundled store whose device and model size are known a bandwidth share", () => {
    let known = 0;
    for (const run of storeRuns()) {
      for (const r of run.results) {
        if (r.kind !== "tg" || r.metric !== "throughput" || r.value === null) continue;
        const eff = runEfficiency(run, r);
        const row = toRow(run, r, false);
        const inputs =
          eff.peak.bw_gbs !== null &&
          row.bytes_per_token !== null &&
          eff.comparable &&
          r.status === "ok" &&
          (r.concurrency ?? 1) === 1;
        if (inputs) {
          known++;
          assert.ok(
            typeof row.bw_util === "number" && row.bw_util > 0 && row.bw_util < 1,
            `${run.id} ${r.test}: ${row.bw_util}`
          );
        } else if (row.bw_util !== null) assert.fail(`${run.id} ${r.test}: a ratio without its inputs`);
      }
    }
    // 22 of the store's tg throughputs: llama-bench at depth 0 (seeds 000, 001) and the seed 002 log; the
    // others print no model size (llama-benchy, vLLM, hand-entered summaries) or no cache shape at depth.
    assert.ok(known >= 22, `${known} tg results with a bandwidth share`);
  });
});

describe("a real H100 SXM run", () => {
  // llama-bench run directly on the device tool's H100 80GB HBM3 (test/fixtures/captured/h100/README.md, branch gpu):
  // a random-weight 1.5 B model of Llama-3.2-1B's shape in Q4_K_M, model_size 947,613,696 bytes, tg128 at depths 0–32k.
  const runs = readFixture("captured/h100/run1/raw/direct-depth-fa.jsonl").stored.runs;
  const rows = runs.flatMap((run) => run.results.map((r) => toRow(run, r, false)));
  const tg = (fa: number, depth: number, size: number) =>
    rows.find(
      (r) =>
        r.kind === "tg" &&
        r.n_depth === depth &&
        r.size_bytes === size &&
        (r.flash_attn === String(fa) || r.flash_attn === fa)
    )!;

  it("matches 'NVIDIA H100 80GB HBM3' to the SXM card: 3,350 GB/s, 989.4 dense FP16 TFLOP/s", () => {
    assert.ok(rows.length >= 32);
    for (const row of rows)
      assert.deepEqual([row.peak_device, row.peak_bw_gbs, row.peak_tflops], ["NVIDIA H100 80GB HBM3", 3350, 989.4]);
  });

  it("puts tg128 of the Q4_K_M at 23.7% of the bandwidth limit with flash attention, 20.4% without (by hand: t/s × bytes ÷ 3.35 TB/s)", () => {
    const fa1 = tg(1, 0, 947613696);
    assert.equal(fa1.value, 838.670588);
    close(fa1.bytes_per_token as number, 947613696);
    close(fa1.bw_util as number, (838.670588 * 947613696) / 3350e9);
    assert.equal(((fa1.bw_util as number) * 100).toFixed(1), "23.7");
    const fa0 = tg(0, 0, 947613696);
    assert.equal(((fa0.bw_util as number) * 100).toFixed(1), "20.4");
    // Q8_0 (1,592,336,384 bytes) reads more per token and gets closer to the limit: 36.0%.
    assert.equal(((tg(1, 0, 1592336384).bw_util as number) * 100).toFixed(1), "36.0");
    // At depth the KV cache adds bytes whose size llama-bench does not print: unknown, not guessed.
    assert.equal(tg(1, 8192, 947613696).bw_util, null);
  });

  it("puts pp512 against the dense FP16 peak", () => {
    const pp = rows.find(
      (r) => r.kind === "pp" && r.n_depth === 0 && r.size_bytes === 947613696 && String(r.flash_attn) === "1"
    )!;
    close(pp.compute_util as number, ((pp.value as number) * 2 * 1498482688) / 989.4e12);
  });
});
