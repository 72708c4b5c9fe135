/**
 * Store → Parquet/CSV with real DuckDB, read back with DuckDB: the same
 * values, lines and provenance as the store holds.
 */
import assert from "node:assert/strict";
import {readFileSync, statSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {csvParse} from "d3-dsv";
import {exportStore} from "../../scripts/export/export.js";
import {hideLocalPaths} from "../../scripts/export/local-paths.js";
import {importInputs} from "../../scripts/import/import.js";
import {CSV_COLUMNS, hardwareLabel, modelLabel, ROW_COLUMNS} from "../../scripts/schema/row.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {duckdbRows as query, explorerDbAndParquet} from "../helpers/duckdb.js";
import {fixtureText} from "../helpers/fixtures.js";

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
  // Site order (export.ts runOrder): runs by machine, then by the model of their first result, then by input file name, then in store order; each run's results in store order.
  const label = (s: string | null) => s ?? "\uffff";
  const storeRuns = [...store.readAll()].flatMap((input) => input.runs);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const siteRuns = storeRuns
    .map((run, i) => ({
      run,
      i,
      machine: label(hardwareLabel(run)),
      model: label(modelLabel({...run.model, ...run.results[0]?.model})),
      file: run.source.name
    }))
    .sort((a, b) => cmp(a.machine, b.machine) || cmp(a.model, b.model) || cmp(a.file, b.file) || a.i - b.i);
  const expected = siteRuns.flatMap(({run}) => run.results.map((r) => ({run, r})));

  it("writes Parquet that DuckDB reads back with every value, stddev and line unchanged", async () => {
    const summary = await exportStore(store, out);
    assert.equal(summary.rows, expected.length);
    // The Parquet holds the store's results in site order.
    const rows = await query(
      `SELECT run_id, line, metric, stat, value, stddev, samples, n_depth, test, tags, hardware FROM '${join(out, "results.parquet")}'`
    );
    assert.equal(rows.length, expected.length);
    rows.forEach((row, i) => {
      const {run, r} = expected[i];
      assert.deepEqual(
        [row.run_id, row.line, row.metric, row.stat, row.test],
        [run.id, r.line, r.metric, r.stat, r.test],
        `row ${i}`
      );
      assert.equal(row.value, r.value);
      assert.equal(row.stddev, r.stddev);
      assert.equal(row.n_depth === null ? null : Number(row.n_depth), r.n_depth);
      assert.deepEqual(row.samples ?? null, r.samples ?? null);
      assert.deepEqual(JSON.parse(row.tags as string), {writeup: "t"});
    });
    assert.ok(rows.some((r) => r.value === 330.87 && r.stddev === 0.99 && r.hardware === "4× NVIDIA GeForce RTX 3080"));
  });

  it("writes one real row per class of results, with where its run's rows are", async () => {
    const rows = await query(
      `SELECT run_id, line, metric, kind, stat, status, scope, value, n_depth, model_label, split_mode FROM '${join(out, "results.parquet")}'`
    );
    const classes = await query(
      `SELECT run_id, line, metric, kind, stat, status, scope, value, n_depth, model_label, split_mode, class_rows, run_row_start, run_rows FROM '${join(out, "results-classes.parquet")}'`
    );
    // Classes computed here from the site-ordered rows: last row and count per (run, model, split mode, metric, kind, stat, status, scope, value/depth present).
    const want = new Map<string, {row: Record<string, unknown>; n: number}>();
    for (const row of rows) {
      const key = JSON.stringify([
        row.run_id,
        row.model_label,
        row.split_mode,
        row.metric,
        row.kind,
        row.stat,
        row.status,
        row.scope,
        row.value === null,
        row.n_depth === null
      ]);
      want.set(key, {row, n: (want.get(key)?.n ?? 0) + 1});
    }
    assert.equal(classes.length, want.size);
    assert.equal(
      classes.reduce((n, c) => n + Number(c.class_rows), 0),
      rows.length
    );
    const byKey = new Map(
      classes.map((c) => [
        JSON.stringify([
          c.run_id,
          c.model_label,
          c.split_mode,
          c.metric,
          c.kind,
          c.stat,
          c.status,
          c.scope,
          c.value === null,
          c.n_depth === null
        ]),
        c
      ])
    );
    for (const [key, {row, n}] of want) {
      const c = byKey.get(key)!;
      assert.ok(c, key);
      assert.equal(Number(c.class_rows), n);
      assert.deepEqual([c.line, c.value], [row.line, row.value], "the class's last row");
      const start = Number(c.run_row_start);
      const run = rows.slice(start, start + Number(c.run_rows));
      assert.ok(run.length > 0 && run.every((r) => r.run_id === c.run_id), "the run's rows");
      assert.equal(rows.filter((r) => r.run_id === c.run_id).length, run.length);
    }
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

  it("writes indexes for the site and a copy of every raw input, local paths cut to file names", () => {
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.deepEqual(manifest.inputs, store.inputs());
    const copies = store.inputs().map((sha) => ({
      copy: readFileSync(join(out, "raw", `${sha}.txt`), "utf8"),
      raw: readFileSync(store.rawPath(store.read(sha).source), "utf8")
    }));
    for (const {copy, raw} of copies) assert.equal(copy, hideLocalPaths(raw));
    // Seed 000 names its models under /data/huggingface/…: the store keeps that, the published copy does not.
    assert.ok(copies.some(({copy, raw}) => raw.includes("/data/huggingface/") && !copy.includes("/data/huggingface/")));
    const runs = JSON.parse(readFileSync(join(out, "runs.json"), "utf8"));
    assert.equal(
      runs.length,
      [...store.readAll()].reduce((n, i) => n + i.runs.length, 0)
    );
  });

  it("exports the same store to the same bytes", async () => {
    const again = tempDir();
    await exportStore(store, again);
    for (const file of [
      "results.parquet",
      "results-classes.parquet",
      "results.csv",
      "runs.json",
      "sources.json",
      "manifest.json"
    ]) {
      assert.ok(readFileSync(join(out, file)).equals(readFileSync(join(again, file))), file);
    }
  });

  it("writes results.duckdb for the explorer: results.parquet's columns, types and rows, in order", async () => {
    const {database, parquet} = await explorerDbAndParquet(join(out, "results.duckdb"), join(out, "results.parquet"));
    assert.equal(parquet.rows.length, expected.length);
    assert.deepEqual(database, parquet);
  });

  it("keeps results.duckdb while results.parquet is unchanged, and writes it again when it changes", async () => {
    const dir = tempDir();
    await exportStore(store, dir);
    const first = readFileSync(join(dir, "results.duckdb"));
    const inode = statSync(join(dir, "results.duckdb")).ino;
    await exportStore(store, dir);
    // Not written again (a new file would be renamed over it): the same bytes, the same inode.
    assert.equal(statSync(join(dir, "results.duckdb")).ino, inode);
    assert.ok(readFileSync(join(dir, "results.duckdb")).equals(first), "the same store keeps the same file");
    const smaller = new Store(tempDir());
    importInputs([{name: "cpu.json", bytes: Buffer.from(fixtureText("captured/cpu/llama-bench-json.stdout"))}], {
      store: smaller
    });
    await exportStore(smaller, dir);
    const {database, parquet} = await explorerDbAndParquet(join(dir, "results.duckdb"), join(dir, "results.parquet"));
    assert.ok(parquet.rows.length > 0 && parquet.rows.length < expected.length);
    assert.deepEqual(database, parquet);
  });
});
