/**
 * Speculative-decoding data logic on real logs: interval series in log order,
 * acceptance paired with throughput per interval, ratios put on a % axis,
 * measured (derived) bands apart from hand-entered ones.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {
  axisValue,
  bandName,
  configLabel,
  dtypeFamily,
  kvPoints,
  kvRatios,
  ratioSentence,
  specBands,
  specLeftOut,
  specPairs,
  specSeries,
  SPEC_METRICS
} from "../../../src/components/pages/speculative.js";
import {fixtureText, readFixture, rowsOf} from "../../helpers/fixtures.js";

const rows = (name: string) => rowsOf(readFixture(name)) as unknown as ResultRow[];

/** Numbers printed after a label on each line of a fixture (an oracle independent of the importer). */
function printed(name: string, label: RegExp): number[] {
  return fixtureText(name)
    .split("\n")
    .flatMap((line) => [...line.matchAll(label)].map((m) => Number(m[1])));
}

describe("specSeries", () => {
  it("follows seed 003's vLLM digest line by line: throughput, acceptance length and rate", () => {
    const series = specSeries(rows("logs/seed-003-vllm-digest.txt"));
    const of = (metric: string) => series.filter((p) => p.metric === metric).map((p) => p.value);
    assert.deepEqual(of("throughput"), printed("logs/seed-003-vllm-digest.txt", /Generation throughput: ([\d.]+)/g));
    assert.deepEqual(of("acceptance_length"), printed("logs/seed-003-vllm-digest.txt", /acceptance length: ([\d.]+)/g));
    assert.deepEqual(of("acceptance_rate"), printed("logs/seed-003-vllm-digest.txt", /draft acceptance: ([\d.]+)%/g));
    assert.deepEqual(
      series.filter((p) => p.metric === "throughput").map((p) => p.seq),
      [0, 1, 2, 3]
    );
  });

  it("puts SGLang's 0–1 accept rate on the % axis and keeps the stored value", () => {
    const series = specSeries(rows("logs/sglang-mtp-accept.md"));
    const rates = series.filter((p) => p.metric === "acceptance_rate");
    const expected = printed("logs/sglang-mtp-accept.md", /accept rate: ([\d.]+)/g);
    assert.deepEqual(
      rates.map((p) => p.value),
      expected
    );
    assert.deepEqual(
      rates.map((p) => p.y),
      expected.map((v) => v * 100)
    );
    assert.ok(rates.every((p) => p.unit === "ratio"));
    assert.equal(axisValue("acceptance_rate", 82, "%"), 82);
  });

  it("pairs each interval's acceptance with the throughput printed for it", () => {
    const pairs = specPairs(specSeries(rows("logs/sglang-mtp-accept.md")));
    const len = printed("logs/sglang-mtp-accept.md", /accept len: ([\d.]+)/g);
    const tput = printed("logs/sglang-mtp-accept.md", /gen throughput \(token\/s\): ([\d.]+)/g);
    assert.deepEqual(
      pairs.map((p) => [p.acceptance, p.throughput]),
      len.map((l, i) => [l, tput[i]])
    );
  });

  it("leaves runs without any acceptance figure out", () => {
    assert.deepEqual(specSeries(rows("seeds/000-4x3080-split.txt")), []);
  });
});

describe("specBands", () => {
  it("summarizes seed 003's digest as the nearest-rank p25–p75 band, median and max of the printed values", () => {
    const values = printed("logs/seed-003-vllm-digest.txt", /Generation throughput: ([\d.]+)/g).sort((a, b) => a - b);
    const rank = (p: number) => values[Math.max(1, Math.ceil(p * values.length)) - 1];
    const [band] = specBands(rows("logs/seed-003-vllm-digest.txt")).filter((b) => b.metric === "throughput");
    assert.equal(band.origin, "derived");
    assert.deepEqual([band.low, band.high, band.mid, band.peak], [rank(0.25), rank(0.75), rank(0.5), values.at(-1)]);
    assert.match(band.what, /p25–p75 of 4 interval values/);
  });

  it("keeps hand-entered ranges hand-entered, labelled with the writer's configuration", () => {
    const bands = specBands(rows("seeds/003-rtx-pro-6000-vllm-sglang.yaml"));
    assert.ok(bands.length > 0 && bands.every((b) => b.origin === "hand-entered"));
    // Configuration A: "typical TG 90-100 tok/s", "peak TG 109.8 tok/s" (the YAML's entries).
    const a = bands.find((b) => b.metric === "throughput" && b.config.startsWith("A:"))!;
    assert.deepEqual([a.low, a.high, a.peak], [90, 100, 109.8]);
    assert.match(bandName(a), /\(hand-entered\)$/);
    const c = bands.find((b) => b.metric === "acceptance_length" && b.config.startsWith("C:"))!;
    assert.deepEqual([c.low, c.high, c.approximate], [4.5, 5.5, true]);
  });

  it("names a measured configuration by runtime, model, quant and KV dtype", () => {
    const [row] = rows("site/sglang-kv-dtype.txt");
    assert.equal(configLabel(row), "sglang · gemma-4-31B-it-FP8-block · KV bfloat16");
  });
});

const printedKey = (name: string, key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(fixtureText(name))![1]);

describe("dtypeFamily", () => {
  it("groups the names runtimes print", () => {
    assert.equal(dtypeFamily("torch.float8_e4m3fn"), "FP8");
    assert.equal(dtypeFamily("fp8_e4m3"), "FP8");
    assert.equal(dtypeFamily("fp8"), "FP8");
    assert.equal(dtypeFamily("torch.bfloat16"), "BF16");
    assert.equal(dtypeFamily("bfloat16"), "BF16");
    assert.equal(dtypeFamily("f16"), "F16");
    assert.equal(dtypeFamily("q8_0"), "Q8_0");
    assert.equal(dtypeFamily("auto"), "auto");
    assert.equal(dtypeFamily(undefined), "not stated");
  });
});

describe("kvPoints and kvRatios", () => {
  const points = kvPoints(rows("site/sglang-kv-dtype.txt"));

  it("reads SGLang's pools with the dtype of the command that launched each server", () => {
    const full = points.filter((p) => p.pool === "full").map((p) => [p.family, p.dtype, p.value]);
    assert.deepEqual(full.sort(), [
      ["BF16", "bfloat16", printedKey("logs/seed-003-sglang-bf16-kv.txt", "full_layer_tokens")],
      ["FP8", "fp8_e4m3", printedKey("logs/seed-003-sglang-fp8-kv.txt", "full_layer_tokens")]
    ]);
    assert.deepEqual([...new Set(points.map((p) => p.pool))].sort(), ["full", "swa", "total"]);
  });

  it("computes FP8 ÷ BF16 per pool from the printed capacities, with no interval (one number each)", () => {
    const ratios = kvRatios(points);
    const full = ratios.find((r) => r.pool === "full")!;
    const expected =
      printedKey("logs/seed-003-sglang-fp8-kv.txt", "full_layer_tokens") /
      printedKey("logs/seed-003-sglang-bf16-kv.txt", "full_layer_tokens");
    assert.equal(full.comparison.ratio, expected);
    assert.equal(full.a.family, "BF16");
    assert.equal(full.b.family, "FP8");
    assert.equal(full.comparison.method, "none");
    assert.equal(full.comparison.low, null);
    assert.match(ratioSentence(full), /FP8 KV holds 2\.00× the full-layer tokens of BF16 KV \(139515 vs 69757/);
    assert.match(ratioSentence(full), /no dispersion reported/);
    assert.equal(ratios.length, 3, "one ratio per pool");
  });

  it("never compares hand-entered capacities, and keeps the 'K tokens' ones off the token axis", () => {
    const hand = kvPoints(rows("seeds/003-rtx-pro-6000-vllm-sglang.yaml"));
    assert.ok(hand.length > 0 && hand.every((p) => p.origin === "hand-entered" && p.unit === "tokens"));
    assert.deepEqual(
      hand.map((p) => p.value),
      [876006, 876006]
    );
    assert.deepEqual(kvRatios(hand), []);
  });
});

describe("specLeftOut", () => {
  /** The page's rows of a fixture: the runs that state acceptance or KV capacity, their page metrics. */
  const pageRows = (name: string) => {
    const all = rows(name);
    const metrics = new Set([...SPEC_METRICS.map((m) => m.metric), "kv_capacity"]);
    const spec = new Set(
      all.filter((r) => ["acceptance_length", "acceptance_rate", "kv_capacity"].includes(r.metric)).map((r) => r.run_id)
    );
    return all.filter((r) => spec.has(r.run_id) && metrics.has(r.metric));
  };

  it("counts every row no series point, band line or KV bar was drawn from: drawn + left out = the page's rows", () => {
    for (const name of [
      "seeds/003-rtx-pro-6000-vllm-sglang.yaml",
      "seeds/003-outputs.txt",
      "logs/vllm-v0-spec-6768.log"
    ]) {
      const page = pageRows(name);
      const series = specSeries(page);
      const bands = specBands(page);
      const kv = kvPoints(page);
      const drawn = series.length + bands.reduce((n, b) => n + b.lines.length, 0) + kv.length;
      const left = specLeftOut(page, series, bands, kv);
      assert.equal(drawn + left.reduce((n, c) => n + c.n, 0), page.length, name);
    }
  });

  it("says why: KV figures the writer gave in K tokens, a hand-entered lower bound", () => {
    const page = pageRows("seeds/003-rtx-pro-6000-vllm-sglang.yaml");
    const left = specLeftOut(page, specSeries(page), specBands(page), kvPoints(page));
    assert.deepEqual(left, [
      {reason: "they are in K tokens (the KV chart draws tokens)", n: page.filter((r) => r.unit === "K tokens").length},
      {reason: "they are hand-entered min figures, which the bands do not draw", n: 1}
    ]);
  });
});
