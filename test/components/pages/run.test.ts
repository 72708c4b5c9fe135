import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {
  resultDownloadColumns,
  resultDownloadRows,
  resultRows,
  variedColumns,
  type RunDetail
} from "../../../src/components/pages/run.js";
import {readFixture} from "../../helpers/fixtures.js";

type Run = RunDetail["run"];
const runsOf = (fixture: string) => (readFixture(fixture) as unknown as {stored: {runs: Run[]}}).stored.runs;

describe("run pages: settings that vary between results are columns", () => {
  // Seed 002: one hand-entered run of 62 values over several configurations (tensor split, batch sizes, ctx).
  const run = runsOf("seeds/002-dual-3060-retune.yaml").find((r) => r.results.length > 20)!;
  const varied = variedColumns(run);
  const visible = (row: Record<string, unknown>, keys: string[]) => JSON.stringify(keys.map((k) => row[k]));
  // What a reader tells rows apart by, values aside.
  const base = ["test", "kind", "metric", "stat", "unit", "scope", "status"];

  it("finds the settings the results override with more than one value", () => {
    assert.ok(
      varied.includes("tensor_split") && varied.includes("n_ubatch") && varied.includes("gpu"),
      varied.join(", ")
    );
    for (const key of varied.filter((k) => k !== "gpu"))
      assert.ok(
        new Set(run.results.map((r) => JSON.stringify(r.settings?.[key] ?? run.settings[key] ?? null))).size > 1,
        key
      );
  });

  it("rows that looked alike differ in their columns", () => {
    const rows = resultRows(run) as unknown as Record<string, unknown>[];
    const without = new Set(rows.map((r) => visible(r, base))).size;
    const withSettings = new Set(rows.map((r) => visible(r, [...varied.map((k) => `setting:${k}`), ...base]))).size;
    assert.ok(without < rows.length, "without the settings some rows look the same");
    assert.ok(withSettings > without, `${withSettings} distinct rows with the settings, ${without} without`);
    // Every row now differs from every other in what the table shows (the per-GPU buffers by their gpu).
    assert.equal(withSettings, rows.length);
  });

  it("the download carries them too, first", () => {
    const columns = resultDownloadColumns(run);
    assert.deepEqual(columns.slice(0, varied.length), varied);
    const first = resultDownloadRows(run)[0];
    for (const key of varied.filter((k) => k !== "gpu")) assert.ok(key in first, key);
  });

  it("a run whose results share every setting gets no extra column", () => {
    const plain = runsOf("seeds/001-rtx4090-m4.txt")[0];
    assert.deepEqual(variedColumns(plain), []);
  });
});
