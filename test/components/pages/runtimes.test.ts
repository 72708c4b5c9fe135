import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {ratioLabel} from "../../../src/components/shared/chart.js";
import {measuredOf, modelFamily, testLabel} from "../../../src/components/shared/rows.js";
import {runtimeBars, runtimeGroups, runtimeLeftOut} from "../../../src/components/pages/runtimes.js";
import {compareMeans} from "../../../scripts/statistics/uncertainty.js";
import {fixtureText, readFixture, rowsOf} from "../../helpers/fixtures.js";

const seed001 = rowsOf(readFixture("seeds/001-rtx4090-m4.txt")) as unknown as ResultRow[];
const RTX4090 = "NVIDIA GeForce RTX 4090";

/** The printed `t/s` cell of a llama-benchy table row, found in the fixture text (independent of the parser). */
function printed(afterCommand: RegExp, test: string): number {
  const text = fixtureText("seeds/001-rtx4090-m4.txt");
  const start = text.search(afterCommand);
  assert.ok(start >= 0, String(afterCommand));
  const line = text
    .slice(start)
    .split("\n")
    .find((l) => new RegExp(`\\|\\s*${test.replace(/[@+]/g, "\\$&")}\\s*\\|`).test(l))!;
  return Number(/^\s*([\d.]+) ±/.exec(line.split("|")[3])![1]);
}

describe("modelFamily", () => {
  it("strips quantization and packaging suffixes, and an organisation prefix", () => {
    const cases: [Partial<ResultRow>, string][] = [
      [{model_label: "Qwen3.5-35B-A3B-UD-Q4_K_XL", quant: "UD-Q4_K_XL"}, "Qwen3.5-35B-A3B"],
      [{model_label: "Qwen3.5-35B-A3B-MXFP4_MOE", quant: "MXFP4_MOE"}, "Qwen3.5-35B-A3B"],
      [{model_label: "Qwen3.5-4B-MLX-4bit", quant: "4bit"}, "Qwen3.5-4B"],
      [{model_label: "Qwen3.5-4B", quant: null, model: "Qwen/Qwen3.5-4B"}, "Qwen3.5-4B"],
      [{model_label: null, model: "Qwen/Qwen3.5-4B"}, "Qwen3.5-4B"],
      [{model_label: "Qwen3.5-122B-A10B-GPTQ-Int4", quant: null}, "Qwen3.5-122B-A10B"],
      [{model_label: "GLM-4.7-Flash-UD-Q2_K_XL", quant: "UD-Q2_K_XL"}, "GLM-4.7-Flash"],
      [{model_label: "Mistral-Medium-3.5-128B-IQ4_XS", quant: "IQ4_XS"}, "Mistral-Medium-3.5-128B"],
      [{model_label: "Qwen3.5-9B-Q8_0", quant: "Q8_0"}, "Qwen3.5-9B"]
    ];
    for (const [row, family] of cases) assert.equal(modelFamily(row), family, JSON.stringify(row));
  });

  it("leaves names without a quantization alone", () => {
    assert.equal(modelFamily({model_label: "Qwen3.5-35B-A3B"}), "Qwen3.5-35B-A3B");
    assert.equal(modelFamily({model: "qwen35 9B Q4_K - Medium"}), "qwen35 9B Q4_K - Medium");
  });
});

describe("measuredOf", () => {
  it("uses the printed sd when there is one", () => {
    const m = measuredOf({value: 330.87, stddev: 0.99, stddev_kind: "sample", repetitions: null});
    assert.deepEqual(m, {value: 330.87, stddev: 0.99, stddev_kind: "sample", repetitions: null, sd_source: "printed"});
  });

  it("computes a sample sd from mlx_lm.benchmark's printed trials, which print no sd", () => {
    const mlx = seed001.find((r) => r.runtime === "mlx" && r.kind === "pp" && r.metric === "throughput")!;
    const trials = [...fixtureText("seeds/001-rtx4090-m4.txt").matchAll(/Trial \d+:\s+prompt_tps=([\d.]+)/g)].map((m) =>
      Number(m[1])
    );
    assert.equal(trials.length, 5);
    const mean = trials.reduce((s, v) => s + v, 0) / trials.length;
    const sd = Math.sqrt(trials.reduce((s, v) => s + (v - mean) ** 2, 0) / (trials.length - 1));
    const m = measuredOf(mlx);
    assert.equal(m.sd_source, "samples");
    assert.equal(m.stddev_kind, "sample");
    assert.equal(m.repetitions, 5);
    assert.ok(Math.abs(m.stddev! - sd) < 1e-12);
    assert.equal(m.value, 359.188, "the printed average stays the value");
  });
});

describe("runtimeBars", () => {
  it("compares llama.cpp, vLLM and SGLang on the RTX 4090's Qwen3.5-4B, test by test and depth by depth", () => {
    const bars = runtimeBars(seed001);
    const group = runtimeGroups(bars).find((g) => g.label === `${RTX4090} · Qwen3.5-4B`)!;
    assert.ok(group, "the 4090 Qwen3.5-4B group");
    assert.deepEqual(group.runtimes, ["llama.cpp", "vllm", "sglang"]);
    assert.equal(group.baseline_series, "llama.cpp");
    const tests = [...new Set(group.bars.map((b) => b.test))];
    assert.deepEqual(tests, [
      "pp2048",
      "pp2048 @ d8192",
      "pp2048 @ d16384",
      "pp2048 @ d32768",
      "tg32",
      "tg32 @ d8192",
      "tg32 @ d16384",
      "tg32 @ d32768"
    ]);
    assert.equal(group.bars.length, 24);
    const bar = (series: string, test: string) => group.bars.find((b) => b.series === series && b.test === test)!;
    const vllm = printed(/vllm serve/, "pp2048 @ d8192");
    const llama = printed(/Qwen3\.5-4B-Q8_0\.gguf/, "pp2048 @ d8192");
    assert.equal(bar("vllm", "pp2048 @ d8192").value, vllm);
    assert.equal(bar("vllm", "pp2048 @ d8192").comparison!.ratio, vllm / llama);
    assert.equal(bar("llama.cpp", "pp2048 @ d8192").comparison, null, "the baseline has no ratio");
    assert.equal(bar("llama.cpp", "pp2048 @ d8192").baseline, true);
  });

  it("gives each ratio a Welch interval (llama-benchy states --runs 5) and marks noise", () => {
    const group = runtimeGroups(runtimeBars(seed001)).find((g) => g.label === `${RTX4090} · Qwen3.5-4B`)!;
    for (const b of group.bars.filter((x) => x.comparison)) {
      assert.equal(b.comparison!.method, "welch", `${b.series} ${b.test}`);
      assert.ok(b.comparison!.low! < b.comparison!.ratio && b.comparison!.ratio < b.comparison!.high!);
    }
    // vLLM's cold pp2048 (10182.61 ± 4263.12) cannot be told from llama.cpp's (7862.30 ± 1114.94) …
    assert.equal(group.bars.find((b) => b.series === "vllm" && b.test === "pp2048")!.comparison!.noise, true);
    // … while its tg32 at depth 0 (67.75 ± 0.30) is clearly slower than llama.cpp's (118.85 ± 0.74).
    const tg = group.bars.find((b) => b.series === "vllm" && b.test === "tg32")!.comparison!;
    assert.equal(tg.noise, false);
    assert.ok(tg.high! < 1);
  });

  it("divides by the chosen baseline runtime", () => {
    const group = runtimeGroups(runtimeBars(seed001, {baseline: "sglang"})).find(
      (g) => g.label === `${RTX4090} · Qwen3.5-4B`
    )!;
    assert.equal(group.baseline_series, "sglang");
    const llama = group.bars.find((b) => b.series === "llama.cpp" && b.test === "tg32")!;
    assert.equal(
      llama.comparison!.ratio,
      printed(/Qwen3\.5-4B-Q8_0\.gguf/, "tg32") / printed(/sglang\.launch_server/, "tg32")
    );
  });

  it("pairs MLX's tg (generated after its 1024-token prompt) with llama-bench's tg64 only when asked", () => {
    const m4 = (matchDepth: boolean) =>
      runtimeGroups(runtimeBars(seed001, {matchDepth})).find((g) => g.label === "Apple M4 · Qwen3.5-4B")!;
    const exact = m4(true);
    assert.deepEqual([...new Set(exact.bars.map((b) => b.test))].sort(), ["pp1024", "tg64", "tg64 @ d1024"]);
    assert.equal(exact.bars.find((b) => b.test === "tg64 @ d1024")!.comparison, null);
    const paired = m4(false);
    const tg = paired.bars.filter((b) => b.test === "tg64 (d0 / d1024)");
    assert.deepEqual(tg.map((b) => b.runtime).sort(), ["llama.cpp", "mlx"]);
    const mlx = tg.find((b) => b.runtime === "mlx")!;
    assert.equal(mlx.comparison!.ratio, 39.023 / 24.44);
    assert.equal(mlx.comparison!.method, "sd-overlap", "llama-bench's Markdown table does not print its repetitions");
    assert.equal(mlx.sd_source, "samples");
  });

  it("keeps a runtime's variants apart (several quants or tools) and drops groups with one runtime", () => {
    const bars = runtimeBars(seed001);
    const moe = bars.filter((b) => b.group === `${RTX4090} · Qwen3.5-35B-A3B`);
    const series = new Set(moe.map((b) => b.series));
    assert.equal(series.size, 4, [...series].join(", "));
    assert.ok([...series].every((s) => s.startsWith("llama.cpp · ")));
    assert.ok(
      !runtimeGroups(bars).some((g) => g.label === `${RTX4090} · Qwen3.5-35B-A3B`),
      "one runtime is no comparison"
    );
    assert.ok(runtimeGroups(bars, {minRuntimes: 1}).some((g) => g.label === `${RTX4090} · Qwen3.5-35B-A3B`));
    const early = runtimeBars(seed001, {minRuntimes: 2});
    assert.ok(!early.some((b) => b.group === `${RTX4090} · Qwen3.5-35B-A3B`), "left out before any ratio is computed");
    assert.equal(
      early.length,
      runtimeGroups(bars).reduce((n, g) => n + g.bars.length, 0)
    );
  });

  it("groups by model file when asked, so different quants are not compared", () => {
    const groups = runtimeGroups(runtimeBars(seed001, {groupBy: "model_label"}));
    assert.ok(!groups.some((g) => g.model_key === "Qwen3.5-4B-Q8_0"));
    assert.deepEqual(groups.find((g) => g.model_key === "Qwen3.5-4B")?.runtimes, ["vllm", "sglang"]);
  });
});

describe("testLabel", () => {
  it("composes llama-bench's test names from the shape", () => {
    const row = (r: Partial<ResultRow>) => ({test: "?", ...r}) as ResultRow;
    assert.equal(testLabel(row({kind: "pp", n_prompt: 512, n_depth: 16384})), "pp512 @ d16384");
    assert.equal(testLabel(row({kind: "tg", n_gen: 32, n_depth: 0, concurrency: 4})), "tg32 (c4)");
    assert.equal(testLabel(row({kind: "pp+tg", n_prompt: 64, n_gen: 16})), "pp64+tg16");
    assert.equal(testLabel(row({kind: "tg", n_gen: 64, n_depth: 1024}), false), "tg64");
  });
});

describe("ratioLabel", () => {
  it("puts the interval under the ratio, and marks noise", () => {
    const c = compareMeans(
      {value: 10.37, stddev: 0, stddev_kind: "sample", repetitions: null},
      {value: 21.59, stddev: 0.05, stddev_kind: "sample", repetitions: null}
    );
    assert.equal(ratioLabel(c), `2.08×\n[${c.low!.toFixed(2)}–${c.high!.toFixed(2)}]`);
    const noisy = compareMeans(
      {value: 57.78, stddev: 0.72, stddev_kind: "sample", repetitions: null},
      {value: 56.67, stddev: 1.39, stddev_kind: "sample", repetitions: null}
    );
    assert.match(ratioLabel(noisy), /^0\.98× ≈\n\[/);
    assert.equal(
      ratioLabel(
        compareMeans(
          {value: 1, stddev: null, stddev_kind: null, repetitions: null},
          {value: 2, stddev: null, stddev_kind: null, repetitions: null}
        )
      ),
      "2.00×"
    );
  });
});

describe("runtimeLeftOut", () => {
  it("counts every row of the page that no bar draws, by reason (seed 001)", () => {
    const rows = seed001.filter((r) => r.metric === "throughput" && r.status === "ok" && r.value !== null && r.runtime);
    const shown = runtimeGroups(runtimeBars(rows, {minRuntimes: 2})).flatMap((g) => g.bars);
    const left = runtimeLeftOut(rows, {}, shown);
    assert.equal(shown.length + left.reduce((n, c) => n + c.n, 0), rows.length);
    // Oracle counted directly: every statistic but the mean is left out, under one reason.
    assert.equal(
      left.find((c) => c.reason.startsWith("they are other statistics than the means"))?.n,
      rows.filter((r) => r.stat !== "mean" && (r.scope ?? "run") === "run").length
    );
    const lonely = left.find((c) => c.reason.startsWith("their model was measured with one runtime"));
    assert.ok(lonely && lonely.n > 0, "the RTX 4090's llama-bench-only models have no second runtime");
  });
});
