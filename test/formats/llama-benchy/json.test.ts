import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import {fixtureText, read, readFixture, rowsOf} from "../../helpers/fixtures.js";

const NAME = "llama-benchy/sample.json";

describe("llama-benchy json: schemas/sample.json (eugr/llama-benchy, against its mock server)", () => {
  const text = fixtureText(NAME);
  const raw = JSON.parse(text) as {
    benchmarks: Record<string, {mean: number; std: number; values: number[]} | number | boolean>[];
  };
  const reading = readFixture(NAME);
  const [run] = reading.stored.runs;
  const rows = rowsOf(reading);

  it("turns every metric of every benchmark into one result with its mean, std and values", () => {
    const metrics = [
      "pp_throughput",
      "pp_req_throughput",
      "tg_throughput",
      "tg_req_throughput",
      "peak_throughput",
      "peak_req_throughput",
      "ttfr",
      "est_ppt",
      "e2e_ttft"
    ];
    const expected = raw.benchmarks.flatMap((b) =>
      metrics.filter((m) => m in b).map((m) => b[m] as {mean: number; std: number; values: number[]})
    );
    const byValue = (a: {value: unknown}, b: {value: unknown}) => (a.value as number) - (b.value as number);
    assert.deepEqual(
      rows.map((r) => ({value: r.value, stddev: r.stddev, samples: r.samples})).sort(byValue),
      expected.map((m) => ({value: m.mean, stddev: m.std, samples: m.values})).sort(byValue)
    );
    assert.ok(rows.every((r) => r.stddev_kind === "population" && r.repetitions === (r.samples as number[]).length));
  });

  it("names tests as the Markdown table would, with the concurrency suffix", () => {
    assert.deepEqual([...new Set(rows.map((r) => r.test))], ["pp2048 (c1)", "tg32 (c1)", "pp2048 (c2)", "tg32 (c2)"]);
    const c2peak = rows.find((r) => r.test === "tg32 (c2)" && r.metric === "throughput" && r.stat === "peak")!;
    assert.equal(c2peak.value, 101.88887651677194);
    assert.deepEqual([c2peak.kind, c2peak.n_gen, c2peak.concurrency], ["tg", 32, 2]);
  });

  it("points each value at the line of its mean", () => {
    const lines = text.split("\n");
    for (const row of rows)
      assert.match(lines[(row.line as number) - 1], new RegExp(`"mean": ${String(row.value).replace(".", "\\.")}`));
  });

  it("reads the report's header: version, UTC timestamp, latency mode, model", () => {
    assert.equal(run.tool_version, "0.2.2.dev7+gcd427054e");
    assert.equal(run.started_at, "2026-02-07T19:09:00Z");
    assert.equal(run.settings.latency_mode, "api");
    assert.equal(run.settings.prefix_caching_enabled, true);
    assert.equal(run.extra.latency_ms, 1.2734305734435718);
    assert.equal(run.model.name, "test");
  });

  it("keeps the throughput time series verbatim", () => {
    const tg = run.results.find((r) => r.test === "tg32 (c1)" && r.metric === "throughput" && r.stat === "mean")!;
    assert.deepEqual(tg.extra?.throughput_over_time, raw.benchmarks[0].throughput_over_time);
  });

  it("names the line of malformed JSON", () => {
    const broken =
      '{"version": "0.3.5", "latency_mode": "api",\n "benchmarks": [{"concurrency": 1, "context_size": 0, "prompt_size": 2048,\n "response_size": 32, "is_context_prefill_phase": false, "pp_throughput": {"mean": 1.0, "std": 0.1,, "values": [1.0]}}]}';
    assert.throws(
      () => read(broken, "r.json"),
      (e: unknown) => e instanceof InputError && e.file === "r.json" && e.line === 3
    );
  });
});

describe("llama-benchy: the same data as md, csv and json", () => {
  const json = rowsOf(readFixture(NAME));
  const md = rowsOf(readFixture("llama-benchy/sample-md.txt"));
  const csv = rowsOf(readFixture("llama-benchy/sample-csv.txt"));
  const key = (r: Record<string, unknown>) => `${r.test}|${r.metric}|${r.stat}`;

  it("csv holds the json's means and stds digit for digit", () => {
    const fromJson = new Map(json.map((r) => [key(r), [r.value, r.stddev]]));
    assert.equal(csv.length, json.length);
    for (const r of csv) assert.deepEqual([r.value, r.stddev], fromJson.get(key(r)), key(r));
  });

  it("md prints the json's means and stds to two decimals", () => {
    const fromJson = new Map(
      json.map((r) => [key(r), [Number((r.value as number).toFixed(2)), Number((r.stddev as number).toFixed(2))]])
    );
    assert.equal(md.length, json.length);
    for (const r of md) assert.deepEqual([r.value, r.stddev], fromJson.get(key(r)), key(r));
  });
});
