import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../src/components/data.js";
import {betterDirection, orderValues, sweepMetrics, sweepPoints, sweepSettings} from "../../src/components/parameter-sweep.js";
import {fixtureText, readFixture, rowsOf} from "../helpers/fixtures.js";

const sweepMd = rowsOf(readFixture("captured/cpu/llama-bench-sweep-md.stdout")) as unknown as ResultRow[];
const retune = rowsOf(readFixture("seeds/002-dual-3060-retune.yaml")) as unknown as ResultRow[];

/** The captured table's rows: threads, n_ubatch, test, value (read from the text, not through the parser). */
const table = fixtureText("captured/cpu/llama-bench-sweep-md.stdout")
  .split("\n")
  .filter((l) => /±/.test(l))
  .map((l) => l.split("|").map((c) => c.trim()))
  .map((c) => ({threads: c[5], ubatch: c[6], test: c[7], value: Number(c[8].split(" ± ")[0])}));

describe("sweepSettings and sweepMetrics", () => {
  it("finds llama-bench's -ub 32,64 -t 1,2 sweep", () => {
    assert.deepEqual(sweepSettings(sweepMd).map((c) => c.key), ["n_ubatch", "n_threads"]);
    assert.deepEqual(sweepMetrics(sweepMd, "n_ubatch"), ["throughput"]);
  });

  it("finds the hand-entered -ub and -ts sweeps of the retuning log, with the -ts failures", () => {
    const candidates = sweepSettings(retune);
    assert.deepEqual(candidates.slice(0, 2).map((c) => c.key), ["n_ubatch", "tensor_split"]);
    assert.ok(candidates.find((c) => c.key === "tensor_split")!.failures > 0);
    assert.ok(sweepMetrics(retune, "tensor_split").includes("model_buffer"));
    assert.equal(sweepMetrics(retune, "n_ubatch")[0], "throughput");
  });
});

describe("sweepPoints", () => {
  it("draws one line per test and thread count across -ub, with the values as printed and the best cell of each", () => {
    const points = sweepPoints(sweepMd, {x: "n_ubatch", metric: "throughput"});
    assert.equal(points.better, "higher");
    assert.equal(points.length, table.length);
    assert.ok(points.every((p) => !p.failed));
    const series = new Set(points.map((p) => p.series));
    assert.deepEqual([...series].sort(), ["pp64 throughput · n_threads 1", "pp64 throughput · n_threads 2", "tg16 throughput · n_threads 1", "tg16 throughput · n_threads 2"]);
    for (const row of table) {
      const p = points.find((q) => q.series === `${row.test} throughput · n_threads ${row.threads}` && q.x === row.ubatch)!;
      assert.equal(p.value, row.value, `${row.test} t=${row.threads} ub=${row.ubatch}`);
      const others = table.filter((r) => r.test === row.test && r.threads === row.threads);
      assert.equal(p.best, row.value === Math.max(...others.map((r) => r.value)));
    }
  });

  it("-ub 128/256/384 on the 2× RTX 3060: prefill 649 → 1,157 → 1,275 t/s, n_batch 768 noted on the last", () => {
    const points = sweepPoints(retune, {x: "n_ubatch", metric: "throughput"});
    const pp = points.filter((p) => p.series.startsWith("pp3100"));
    assert.deepEqual(orderValues(pp.map((p) => p.x)), ["128", "256", "384"]);
    assert.deepEqual([...new Set(pp.map((p) => `${p.x}:${p.value}`))], ["128:649", "256:1157", "384:1275"]);
    assert.equal(pp.find((p) => p.x === "384")!.also, "n_batch 768");
    assert.deepEqual(pp.filter((p) => p.best).map((p) => p.value), [1275]);
    assert.ok(points.every((p) => !p.failed), "the -ts failures are not about -ub");
  });

  it("marks the -ts splits that could not start, with what the log said, and leaves out a failure at a split that did start", () => {
    const points = sweepPoints(retune, {x: "tensor_split", metric: "model_buffer"});
    const failed = points.filter((p) => p.failed);
    const okSplits = new Set(points.filter((p) => !p.failed).map((p) => p.x));
    assert.deepEqual([...okSplits].sort(), ["0.47,0.53", "0.48,0.52", "0.5,0.5"]);
    assert.deepEqual(orderValues(points.map((p) => p.x)), ["0.40,0.60", "0.43,0.57", "0.45,0.55", "0.47,0.53", "0.48,0.52", "0.5,0.5"], "GPU 0's share, ascending");
    const expected = retune.filter((r) => r.status !== "ok" && r.settings?.tensor_split !== undefined && !okSplits.has(String(r.settings.tensor_split)));
    assert.deepEqual(failed.map((p) => p.x).sort(), expected.map((r) => String(r.settings.tensor_split)).sort());
    assert.deepEqual(failed.map((p) => p.x).sort(), ["0.40,0.60", "0.43,0.57", "0.45,0.55"]);
    for (const f of failed) {
      assert.equal(f.status, "error");
      assert.match(f.status_detail!, /CUDA1 running out of memory/);
      assert.equal(f.value, null);
    }
    // The OOM at 0.5,0.5 (a drifted config with --mlock etc.) is not drawn where 0.5,0.5 loaded fine.
    assert.ok(!failed.some((p) => p.x === "0.5,0.5"));
    // Per-GPU buffers are separate lines; memory sizes have no "best".
    assert.deepEqual([...new Set(points.filter((p) => !p.failed).map((p) => p.series))].sort(), ["model_buffer · GPU 0", "model_buffer · GPU 1"]);
    assert.equal(points.better, "none");
    assert.ok(!points.some((p) => p.best));
  });

  it("puts a failed llama-bench test of the same metric on its sweep", () => {
    const failedRow = {...sweepMd[0], status: "oom", status_detail: "cudaMalloc failed: out of memory", value: null, settings: {...sweepMd[0].settings, n_ubatch: 128}} as ResultRow;
    const points = sweepPoints([...sweepMd, failedRow], {x: "n_ubatch", metric: "throughput"});
    const failed = points.filter((p) => p.failed);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].x, "128");
    assert.equal(failed[0].status_detail, "cudaMalloc failed: out of memory");
    assert.deepEqual(orderValues(points.map((p) => p.x)), ["32", "64", "128"], "numeric order, not text order");
  });
});

describe("betterDirection", () => {
  it("throughput up, time down, sizes undefined", () => {
    assert.equal(betterDirection("throughput", "tok/s"), "higher");
    assert.equal(betterDirection("duration", "s"), "lower");
    assert.equal(betterDirection("ttft", "ms"), "lower");
    assert.equal(betterDirection("model_buffer", "MiB"), "none");
  });
});
