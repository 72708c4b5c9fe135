/**
 * Serving latency data logic on real outputs: the printed statistics land on
 * the concurrency axis as printed, per-request samples go on a millisecond
 * axis, and the CDF and printed-percentile marks are where the data puts them.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {colorOf, shade} from "../../../src/components/shared/chart.js";
import {
  cdfPoints,
  latencyPoints,
  servingColors,
  servingLeftOut,
  LATENCY_METRICS,
  printedMarks,
  requestSamples,
  statOrder,
  statsOf,
  THROUGHPUT_METRICS,
  toMs,
  unboundedPoints
} from "../../../src/components/pages/serving.js";
import {fixtureText, readFixture, rowsOf} from "../../helpers/fixtures.js";

const rows = (name: string) => rowsOf(readFixture(name)) as unknown as ResultRow[];

describe("unboundedPoints: a vllm bench serve run without --max-concurrency", () => {
  // vllm/benchmark-serving-old.txt prints "Traffic request rate: 10.0" and "Maximum request concurrency: None"
  // above its console block, and "request_rate": 10.0, "max_concurrency": null in its saved result.
  const old = rows("vllm/benchmark-serving-old.txt");

  it("is off the concurrency axis but kept, with its request rate, for both the console block and the saved JSON", () => {
    assert.deepEqual(latencyPoints(old), []);
    const points = unboundedPoints(old);
    const p99 = points.filter((p) => p.metric === "ttft" && p.stat === "p99");
    // "P99 TTFT (ms): 89.77" in the console block; "p99_ttft_ms": 89.76647855975897 in the JSON.
    assert.deepEqual(p99.map((p) => [p.value, p.request_rate]).sort(), [
      [89.76647855975897, 10],
      [89.77, 10]
    ]);
    assert.ok(points.every((p) => p.request_rate === 10 && /unbounded 10 req\/s$/.test(p.test)));
    assert.ok(points.some((p) => p.metric === "output_throughput" && p.value === 2249.25));
  });

  it("leaves runs with a limit to the concurrency axis", () => {
    assert.deepEqual(unboundedPoints(rows("seeds/000-4x3080-split.txt")), []);
  });
});

describe("latencyPoints", () => {
  const seed = rows("seeds/000-4x3080-split.txt");
  const points = latencyPoints(seed);

  it("puts every printed TTFT/TPOT/ITL statistic of seed 000's two vLLM blocks at its concurrency, as printed", () => {
    // The block at --max-concurrency 8 prints "P99 TTFT (ms): 5782.89", the one at 1 "P99 TTFT (ms): 1763.69".
    const text = fixtureText("seeds/000-4x3080-split.txt");
    assert.ok(text.includes("P99 TTFT (ms): 5782.89") && text.includes("P99 TTFT (ms): 1763.69"));
    const p99 = points.filter((p) => p.metric === "ttft" && p.stat === "p99").map((p) => [p.concurrency, p.value]);
    assert.deepEqual(p99.sort(), [
      [1, 1763.69],
      [8, 5782.89]
    ]);
    // Three metrics × three statistics × two concurrencies.
    assert.equal(points.length, 18);
    assert.deepEqual(statsOf(points), ["mean", "median", "p99"]);
    assert.ok(
      points.every(
        (p) => p.unit === "ms" && p.series.startsWith("vllm · Qwen3.5-122B-A10B-GPTQ-Int4 · 4× NVIDIA GeForce RTX 3080")
      )
    );
  });

  it("keeps llama-bench results off the serving axes", () => {
    assert.ok(points.every((p) => p.runtime === "vllm"));
  });

  it("charts throughput too when asked for its metrics", () => {
    const tp = latencyPoints(seed, new Set(THROUGHPUT_METRICS.map((m) => m.metric)));
    const output = tp
      .filter((p) => p.metric === "output_throughput" && p.stat === "value")
      .map((p) => [p.concurrency, p.value]);
    assert.deepEqual(output.sort(), [
      [1, 67.06],
      [8, 187.04]
    ]);
  });

  it("orders statistics mean, median, then percentiles", () => {
    assert.deepEqual(
      ["p99", "median", "p50", "mean", "p90"].sort((a, b) => statOrder(a) - statOrder(b)),
      ["mean", "p50", "median", "p90", "p99"]
    );
  });
});

describe("per-request samples", () => {
  const detailed = rows("vllm/save-detailed.json");
  const samples = requestSamples(detailed);

  it("reads --save-detailed per-request TTFTs in seconds onto a millisecond axis, skipping the failed request", () => {
    // ttfts [0.2511, 0.3127, 0.0] with errors ["", "", "Server disconnected"].
    const ttft = samples.filter((s) => s.metric === "ttft");
    assert.deepEqual(
      ttft.map((s) => [s.request, s.value, s.unit]),
      [
        [0, 0.2511, "s"],
        [1, 0.3127, "s"]
      ]
    );
    assert.deepEqual(
      ttft.map((s) => s.ms),
      [0.2511 * 1000, 0.3127 * 1000]
    );
    // itls [[0.021, 0.019, 0.024], [0.022, 0.018], []]: five gaps.
    assert.equal(samples.filter((s) => s.metric === "itl").length, 5);
  });

  it("builds an empirical CDF: the i-th smallest of n at i/n", () => {
    const itl = cdfPoints(samples.filter((s) => s.metric === "itl"));
    assert.deepEqual(
      itl.map((p) => [p.value, p.p]),
      [
        [0.018, 0.2],
        [0.019, 0.4],
        [0.021, 0.6],
        [0.022, 0.8],
        [0.024, 1]
      ]
    );
  });

  it("marks the run's printed median and p99 on the CDF, at 0.5 and 0.99", () => {
    const marks = printedMarks(detailed, samples).filter((m) => m.metric === "ttft");
    assert.deepEqual(marks.map((m) => [m.stat, m.p, m.value]).sort(), [
      ["mean", null, 281.9],
      ["median", 0.5, 281.9],
      ["p99", 0.99, 312.08399999999995]
    ]);
  });

  it("converts units to milliseconds and refuses unknown ones", () => {
    assert.equal(toMs(1.5, "s"), 1500);
    assert.equal(toMs(12, "ms"), 12);
    assert.equal(toMs(3, "tok/s"), null);
  });
});

describe("servingColors: one colour per series for the whole page, from its runtime", () => {
  // vLLM (seed 000's serving blocks, --save-detailed samples) and SGLang: several series per runtime.
  const all = [
    ...rows("seeds/000-4x3080-split.txt"),
    ...rows("vllm/save-detailed.json"),
    ...rows("sglang/bench-serving-accept-length.txt")
  ];
  const colors = servingColors(all);

  it("names every series of every serving chart once, latency, throughput and per-request alike", () => {
    const series = new Set([
      ...latencyPoints(
        all,
        new Set([...latencyPoints(all).map((p) => p.metric), ...THROUGHPUT_METRICS.map((m) => m.metric)])
      ).map((p) => p.series),
      ...requestSamples(all).map((s) => s.series)
    ]);
    assert.deepEqual([...colors.domain].sort(), [...series].sort());
    assert.equal(new Set(colors.domain).size, colors.domain.length);
  });

  it("gives each series its runtime's colour or a shade of it", () => {
    const runtimeOf = new Map([
      ...latencyPoints(all).map((p) => [p.series, p.runtime] as const),
      ...requestSamples(all).map((s) => [s.series, s.runtime] as const)
    ]);
    assert.ok(new Set(runtimeOf.values()).size >= 2, "two runtimes");
    colors.domain.forEach((series, i) => {
      const base = colorOf("runtime", runtimeOf.get(series));
      const shades = Array.from({length: colors.domain.length}, (_, k) => shade(base, k));
      assert.ok(shades.includes(colors.range[i]), `${series}: ${colors.range[i]} is a shade of ${base}`);
    });
  });
});

describe("servingLeftOut", () => {
  it("counts the serving results no chart or table places: drawn + left out = the page's rows", () => {
    const metrics = new Set([...LATENCY_METRICS, ...THROUGHPUT_METRICS].map((m) => m.metric));
    const page = [
      ...rows("seeds/000-4x3080-split.txt"),
      ...rows("vllm/save-detailed.json"),
      ...rows("vllm/benchmark-serving-old.txt"),
      ...rows("sglang/bench-serving-accept-length.txt")
    ].filter((r) => metrics.has(r.metric));
    const drawn = latencyPoints(page, metrics).length + unboundedPoints(page).length + requestSamples(page).length;
    const left = servingLeftOut(page);
    assert.equal(drawn + left.reduce((n, c) => n + c.n, 0), page.length);
    // The same rows with one figure's concurrency removed: that one is left out, and says why.
    const stripped = page.map((r, i) =>
      i === page.findIndex((x) => x.concurrency !== null && (x.scope ?? "run") === "run")
        ? {...r, concurrency: null}
        : r
    );
    assert.deepEqual(servingLeftOut(stripped), [...left, {reason: "they do not state a concurrency", n: 1}]);
  });
});
