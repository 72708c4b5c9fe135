import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {fixtureText, readFixture} from "../../helpers/fixtures.js";

describe("sglang bench_one_batch: printed lines of a 2×1×2 sweep", () => {
  const name = "sglang/bench-one-batch.txt";
  const [run] = readFixture(name).stored.runs;

  it("reads every latency and throughput as printed", () => {
    const printed = [
      ...fixtureText(name).matchAll(/latency:\s+(\S+) s, (?:median )?throughput:\s+(\S+) token\/s/g)
    ].flatMap((m) => [Number(m[1]), Number(m[2])]);
    assert.deepEqual(
      run.results.filter((r) => r.metric !== "kv_capacity").map((r) => r.value),
      printed
    );
  });

  it("maps groups to the command's batch × input × output sweep, in order, after the warmup", () => {
    const totals = run.results.filter((r) => r.kind === "pp+tg");
    assert.deepEqual(
      totals.map((r) => [r.test, r.concurrency, r.value]),
      [
        ["bs4 in1024 out? warmup", 4, 6.476],
        ["bs4 in1024 out? warmup", 4, 637.43],
        ["bs4 in1024 out1", 4, 3.736],
        ["bs4 in1024 out1", 4, 1097.31],
        ["bs4 in1024 out1024", 4, 22.969],
        ["bs4 in1024 out1024", 4, 356.65],
        ["bs8 in1024 out1", 8, 7.196],
        ["bs8 in1024 out1", 8, 1139.58],
        ["bs8 in1024 out1024", 8, 30.812],
        ["bs8 in1024 out1024", 8, 531.74]
      ]
    );
    assert.ok(run.results.filter((r) => r.test.endsWith("warmup")).every((r) => r.extra?.phase === "warmup"));
  });

  it("keeps decode steps as a series and the median as a median", () => {
    const steps = run.results.filter(
      (r) => r.test === "bs8 in1024 out1024" && r.kind === "tg" && r.metric === "latency"
    );
    assert.deepEqual(
      steps.map((r) => [r.stat, r.seq ?? null, r.value]),
      [
        ["value", 0, 0.03835],
        ["value", 1, 0.02299],
        ["value", 2, 0.02286],
        ["value", 3, 0.02305],
        ["value", 4, 0.0229],
        ["median", null, 0.0231]
      ]
    );
    assert.equal(run.results.find((r) => r.metric === "kv_capacity")?.value, 355636);
    assert.deepEqual([run.runtime, run.model.file, run.settings.tp], ["sglang", "/data1/rcai/Qwen2.5-32B-Instruct", 8]);
  });
});

describe("sglang bench_one_batch: JSON Lines", () => {
  const name = "sglang/bench-one-batch.jsonl";
  const records = fixtureText(name)
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, number>);
  const [run] = readFixture(name).stored.runs;

  it("stores every record's figures digit for digit with its batch size and lengths", () => {
    const keys = [
      "prefill_latency",
      "prefill_throughput",
      "median_decode_latency",
      "median_decode_throughput",
      "total_latency",
      "overall_throughput"
    ];
    assert.deepEqual(
      run.results.map((r) => r.value),
      records.flatMap((rec) => keys.filter((k) => k in rec).map((k) => rec[k]))
    );
    const decode = run.results.find((r) => r.kind === "tg" && r.concurrency === 8)!;
    assert.deepEqual([decode.stat, decode.n_gen, decode.line], ["median", 1024, 4]);
  });
});
