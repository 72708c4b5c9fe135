/**
 * Store → Parquet/CSV with real DuckDB, read back with DuckDB: the same
 * values, lines and provenance as the store holds.
 */
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {DuckDBInstance} from "@duckdb/node-api";
import {csvParse} from "d3-dsv";
import {exportStore} from "../../scripts/export/export.js";
import {importInputs} from "../../scripts/import/import.js";
import {CSV_COLUMNS, ROW_COLUMNS} from "../../scripts/schema/row.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("export", () => {
  const store = new Store(tempDir());
  importInputs(
    [
      {name: "seed-000.txt", bytes: Buffer.from(fixtureText("seeds/000-4x3080-split.txt"))},
      {name: "cpu.json", bytes: Buffer.from(fixtureText("captured/cpu/llama-bench-json.stdout"))}
    ],
    {store, now: () => new Date("2026-01-01T00:00:00Z"), tags: {writeup: "t"}}
  );
  const out = tempDir();
  const expected = [...store.readAll()].flatMap((input) => input.runs.flatMap((run) => run.results.map((r) => ({run, r}))));

  it("writes Parquet that DuckDB reads back with every value, stddev and line unchanged", async () => {
    const summary = await exportStore(store, out);
    assert.equal(summary.rows, expected.length);
    // The Parquet holds the store's results in store order.
    const rows = await query(`SELECT run_id, line, metric, stat, value, stddev, samples, n_depth, test, tags, hardware FROM '${join(out, "results.parquet")}'`);
    assert.equal(rows.length, expected.length);
    rows.forEach((row, i) => {
      const {run, r} = expected[i];
      assert.deepEqual([row.run_id, row.line, row.metric, row.stat, row.test], [run.id, r.line, r.metric, r.stat, r.test], `row ${i}`);
      assert.equal(row.value, r.value);
      assert.equal(row.stddev, r.stddev);
      assert.equal(row.n_depth === null ? null : Number(row.n_depth), r.n_depth);
      assert.deepEqual(row.samples ?? null, r.samples ?? null);
      assert.deepEqual(JSON.parse(row.tags as string), {writeup: "t"});
    });
    assert.ok(rows.some((r) => r.value === 330.87 && r.stddev === 0.99 && r.hardware === "4× NVIDIA GeForce RTX 3080"));
  });

  it("has every documented column, typed", async () => {
    const columns = await query(`DESCRIBE SELECT * FROM '${join(out, "results.parquet")}'`);
    assert.deepEqual(
      columns.map((c) => [c.column_name, c.column_type]),
      ROW_COLUMNS.map(([name, type]) => [name, type])
    );
  });

  it("writes the same rows as CSV, without the JSON-text columns", () => {
    const csv = csvParse(readFileSync(join(out, "results.csv"), "utf8"));
    assert.equal(csv.length, expected.length);
    assert.deepEqual(csv.columns, CSV_COLUMNS);
    assert.ok(csv.some((r) => r.value === "330.87" && r.stddev === "0.99" && r.test === "pp512"));
  });

  it("writes indexes for the site and a copy of every raw input", () => {
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.deepEqual(manifest.inputs, store.inputs());
    for (const sha of store.inputs()) assert.equal(readFileSync(join(out, "raw", `${sha}.txt`), "utf8"), readFileSync(store.rawPath(store.read(sha).source), "utf8"));
    const runs = JSON.parse(readFileSync(join(out, "runs.json"), "utf8"));
    assert.equal(runs.length, [...store.readAll()].reduce((n, i) => n + i.runs.length, 0));
  });

  it("exports the same store to the same bytes", async () => {
    const again = tempDir();
    await exportStore(store, again);
    for (const file of ["results.parquet", "results.csv", "runs.json", "sources.json", "manifest.json"]) {
      assert.ok(readFileSync(join(out, file)).equals(readFileSync(join(again, file))), file);
    }
  });
});
