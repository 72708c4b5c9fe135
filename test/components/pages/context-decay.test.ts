import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {toRow} from "../../../scripts/schema/row.js";
import {Store} from "../../../scripts/store/store.js";
import {DECAY_COLUMNS, decayLeftOut, decayPoints, decaySeries} from "../../../src/components/pages/context-decay.js";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {fixturePath, read, readFixture, rowsOf} from "../../helpers/fixtures.js";

/** The rows of the H100 depth-fa plan as benchbook bench stored them: one run per cell, one depth each. */
function h100Rows(): ResultRow[] {
  const store = new Store(join(fixturePath("captured/h100/run2"), "store"));
  return [...store.readAll()].flatMap((input) =>
    input.runs
      .filter((r) => r.tool === "llama-bench")
      .flatMap((run) => run.results.map((r) => toRow(run, r, false) as unknown as ResultRow))
  );
}

const seed001 = rowsOf(readFixture("seeds/001-rtx4090-m4.txt")) as unknown as ResultRow[];
const retune = rowsOf(readFixture("seeds/002-dual-3060-retune.yaml")) as unknown as ResultRow[];

describe("context decay", () => {
  it("joins a bench plan's depth sweep, stored one run per depth, into one curve per cell", () => {
    const rows = h100Rows();
    assert.equal(new Set(rows.map((r) => r.run_id)).size, 16);
    const points = decayPoints(rows, "tg");
    const series = [...new Set(points.map((p) => p.series))].sort();
    assert.deepEqual(series, [
      "random-1.5B-Q4_K_M · NVIDIA H100 80GB HBM3 · sm layer · -fa 0 · tg128",
      "random-1.5B-Q4_K_M · NVIDIA H100 80GB HBM3 · sm layer · -fa 1 · tg128",
      "random-1.5B-Q8_0 · NVIDIA H100 80GB HBM3 · sm layer · -fa 0 · tg128",
      "random-1.5B-Q8_0 · NVIDIA H100 80GB HBM3 · sm layer · -fa 1 · tg128"
    ]);
    for (const s of series) {
      const curve = points.filter((p) => p.series === s);
      assert.deepEqual(
        curve.map((p) => p.n_depth),
        [0, 8192, 16384, 32768],
        s
      );
      assert.equal(curve[0].retention, 1);
      // Retention is the deep value over the same cell's depth-0 value.
      assert.equal(curve[3].retention, curve[3].value / curve[0].value);
    }
  });

  it("needs only DECAY_COLUMNS: rows loaded with just those columns (as the page loads them) give the same points", () => {
    // The page once loaded no `extra`, so each H100 depth became its own curve (34 pp lines for 22 curves).
    const rows = [...h100Rows(), ...seed001, ...retune];
    const loaded = rows.map(
      (r) =>
        Object.fromEntries(
          DECAY_COLUMNS.map((c) => [c, (r as Record<string, unknown>)[c] ?? null])
        ) as unknown as ResultRow
    );
    for (const kind of ["pp", "tg"] as const)
      assert.deepEqual(decayPoints(loaded, kind), decayPoints(rows, kind), kind);
    assert.deepEqual(decayLeftOut(loaded), decayLeftOut(rows));
  });

  it("keeps one curve per run for other outputs (llama-bench's own -d list in one run)", () => {
    const rows = read(
      `llama-bench -m tiny.gguf -p 64 -n 16 -d 0,256 -r 3 -t 2 -o jsonl\n${readFileSync(fixturePath("captured/cpu/llama-bench-jsonl.stdout"), "utf8")}`
    ).stored.runs.flatMap((run) => run.results.map((r) => toRow(run, r, false) as unknown as ResultRow));
    const points = decayPoints(rows, "tg");
    assert.equal(new Set(points.map((p) => p.series)).size, 1);
    assert.deepEqual(
      points.map((p) => p.n_depth),
      [0, 256]
    );
  });
  it("draws every throughput mean with a depth, and counts every other row as left out with its reason", () => {
    const rows = [...seed001, ...retune];
    const drawn = decayPoints(rows, "pp").length + decayPoints(rows, "tg").length;
    const leftOut = decayLeftOut(rows);
    assert.equal(drawn + leftOut.reduce((n, c) => n + c.n, 0), rows.length);
    // Oracles counted directly: seed 001's peaks (not means), and the retune log's rows that are not throughput.
    const peaks = seed001.filter((r) => r.metric === "throughput" && r.stat === "peak").length;
    assert.ok(peaks > 0);
    assert.equal(
      leftOut.find((c) => c.reason.startsWith("they are not means"))?.n,
      peaks + retune.filter((r) => r.metric === "throughput" && r.stat !== "mean").length
    );
    assert.equal(
      leftOut.find((c) => c.reason === "they are not throughput")?.n,
      rows.filter((r) => r.metric !== "throughput").length
    );
    assert.deepEqual(
      [...leftOut].sort((a, b) => b.n - a.n),
      leftOut
    );
  });

  it("offers the longest curves first to the series picker", () => {
    const points = decayPoints(seed001, "tg");
    const series = decaySeries(points);
    const count = (s: string) => points.filter((p) => p.series === s).length;
    assert.equal(new Set(series).size, series.length);
    for (let i = 1; i < series.length; i++) assert.ok(count(series[i - 1]) >= count(series[i]));
  });
});
