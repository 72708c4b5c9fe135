import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {fixtureText, readFixture, rowsOf} from "../../helpers/fixtures.js";

/** Oracle: every `label: number` printed in the text's result block, in order. */
function printedNumbers(text: string): number[] {
  const block = /={3,} Serving Benchmark Result ={3,}([\s\S]*?)={40,}/.exec(text)![1];
  return [...block.matchAll(/:\s+(-?\d+(?:\.\d+)?)\s*$/gm)].map((m) => Number(m[1]));
}

describe("sglang bench_serving text: old block with the misspelled label (DeepSeek-V3 notes)", () => {
  const name = "sglang/bench-serving-misspelled.txt";
  const reading = readFixture(name);
  const [run] = reading.stored.runs;
  const rows = rowsOf(reading);

  it("reads every number as printed", () => {
    assert.equal(run.format, "sglang-bench-serving-text");
    assert.deepEqual(
      rows.map((r) => r.value),
      printedNumbers(fixtureText(name))
    );
  });

  it("reads Max reqeuest concurrency, Backend and Traffic request rate as settings", () => {
    assert.deepEqual(
      [run.settings.max_concurrency, run.settings.backend, run.settings.request_rate],
      ["not set", "sglang", "inf"]
    );
    assert.equal(rows[0].concurrency, null);
  });

  it("names E2E latency e2el and Concurrency a mean of requests in flight", () => {
    assert.deepEqual(
      rows.filter((r) => r.metric === "e2el").map((r) => [r.stat, r.value]),
      [
        ["mean", 178210.55],
        ["median", 157435.18]
      ]
    );
    assert.deepEqual(
      rows.filter((r) => r.metric === "concurrent_requests").map((r) => [r.stat, r.value, r.unit]),
      [["mean", 6070.84, "requests"]]
    );
  });

  it("takes the runtime from launch_server and the lengths from bench_serving's command", () => {
    assert.equal(run.runtime, "sglang");
    assert.equal(run.settings.tp, 8);
    // "Traffic request rate: inf" and "Max reqeuest concurrency: not set": every request at once, no limit.
    assert.deepEqual(
      [rows[0].n_prompt, rows[0].n_gen, rows[0].test],
      [256, 32, "random in256 out32 unbounded inf req/s"]
    );
    assert.deepEqual(
      [rows[0].concurrency, rows[0].result_extra],
      [null, {concurrency: "unbounded", request_rate: "inf"}]
    );
  });
});

describe("sglang bench_serving text: recent block with Accept length (sgl-project/sglang#23896)", () => {
  const name = "sglang/bench-serving-accept-length.txt";
  const rows = rowsOf(readFixture(name));

  it("reads every number as printed (Max request concurrency as a setting)", () => {
    assert.deepEqual(
      rows.map((r) => r.value),
      printedNumbers(fixtureText(name)).filter((_, i) => i !== 0)
    );
    assert.ok(rows.every((r) => r.concurrency === 100));
  });

  it("marks accept length cumulative (the server's running average), the rest per run", () => {
    const accept = rows.find((r) => r.metric === "acceptance_length")!;
    assert.deepEqual([accept.value, accept.scope, accept.stat], [2.86, "cumulative", "mean"]);
    assert.ok(rows.filter((r) => r.metric !== "acceptance_length").every((r) => r.scope === "run"));
    assert.deepEqual(
      rows.filter((r) => r.metric === "itl").map((r) => r.stat),
      ["mean", "median", "p95", "p99", "max"]
    );
  });
});

describe("sglang bench_serving jsonl: request_rate Infinity", () => {
  const name = "sglang/bench-serving.jsonl";
  const raw = JSON.parse(fixtureText(name).replace("Infinity", '"inf"')) as Record<string, number>;
  const [run] = readFixture(name).stored.runs;

  it("reads the invalid-JSON Infinity as the setting, and every number digit for digit", () => {
    assert.equal(run.settings.request_rate, "Infinity");
    const find = (metric: string, stat: string) =>
      run.results.find((r) => r.metric === metric && r.stat === stat)?.value;
    assert.equal(find("e2el", "p90"), raw.p90_e2e_latency_ms);
    assert.equal(find("total_throughput", "value"), raw.total_throughput);
    assert.equal(find("output_tokens_retokenized", "total"), raw.total_output_tokens_retokenized);
    assert.equal(find("itl", "p95"), raw.p95_itl_ms);
    assert.equal(run.results.find((r) => r.metric === "acceptance_length")?.scope, "cumulative");
    assert.deepEqual([run.results[0].n_prompt, run.results[0].n_gen, run.results[0].concurrency], [1024, 1024, 100]);
  });
});
