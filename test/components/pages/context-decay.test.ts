import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {toRow} from "../../../scripts/schema/row.js";
import {Store} from "../../../scripts/store/store.js";
import {decayPoints} from "../../../src/components/pages/context-decay.js";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {fixturePath, read} from "../../helpers/fixtures.js";

/** The rows of the H100 depth-fa plan as benchbook bench stored them: one run per cell, one depth each. */
function h100Rows(): ResultRow[] {
  const store = new Store(join(fixturePath("captured/h100/run2"), "store"));
  return [...store.readAll()].flatMap((input) => input.runs.filter((r) => r.tool === "llama-bench").flatMap((run) => run.results.map((r) => toRow(run, r, false) as unknown as ResultRow)));
}

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
      assert.deepEqual(curve.map((p) => p.n_depth), [0, 8192, 16384, 32768], s);
      assert.equal(curve[0].retention, 1);
      // Retention is the deep value over the same cell's depth-0 value.
      assert.equal(curve[3].retention, curve[3].value / curve[0].value);
    }
  });

  it("keeps one curve per run for other outputs (llama-bench's own -d list in one run)", () => {
    const rows = read(`llama-bench -m tiny.gguf -p 64 -n 16 -d 0,256 -r 3 -t 2 -o jsonl\n${readFileSync(fixturePath("captured/cpu/llama-bench-jsonl.stdout"), "utf8")}`).stored.runs.flatMap((run) => run.results.map((r) => toRow(run, r, false) as unknown as ResultRow));
    const points = decayPoints(rows, "tg");
    assert.equal(new Set(points.map((p) => p.series)).size, 1);
    assert.deepEqual(points.map((p) => p.n_depth), [0, 256]);
  });
});
