/**
 * Speculative-decoding data logic on real logs: interval series in log order,
 * acceptance paired with throughput per interval, ratios put on a % axis,
 * measured (derived) bands apart from hand-entered ones.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../src/components/data.js";
import {axisValue, bandName, configLabel, specBands, specPairs, specSeries} from "../../src/components/speculative.js";
import {fixtureText, readFixture, rowsOf} from "../helpers/fixtures.js";

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
    assert.deepEqual(series.filter((p) => p.metric === "throughput").map((p) => p.seq), [0, 1, 2, 3]);
  });

  it("puts SGLang's 0–1 accept rate on the % axis and keeps the stored value", () => {
    const series = specSeries(rows("logs/sglang-mtp-accept.md"));
    const rates = series.filter((p) => p.metric === "acceptance_rate");
    const expected = printed("logs/sglang-mtp-accept.md", /accept rate: ([\d.]+)/g);
    assert.deepEqual(rates.map((p) => p.value), expected);
    assert.deepEqual(rates.map((p) => p.y), expected.map((v) => v * 100));
    assert.ok(rates.every((p) => p.unit === "ratio"));
    assert.equal(axisValue("acceptance_rate", 82, "%"), 82);
  });

  it("pairs each interval's acceptance with the throughput printed for it", () => {
    const pairs = specPairs(specSeries(rows("logs/sglang-mtp-accept.md")));
    const len = printed("logs/sglang-mtp-accept.md", /accept len: ([\d.]+)/g);
    const tput = printed("logs/sglang-mtp-accept.md", /gen throughput \(token\/s\): ([\d.]+)/g);
    assert.deepEqual(pairs.map((p) => [p.acceptance, p.throughput]), len.map((l, i) => [l, tput[i]]));
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
