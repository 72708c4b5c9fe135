/**
 * Every column of every row of results.parquet is the flat row of its
 * result (scripts/schema/row.ts toRow, what `parse --json` prints with
 * objects as JSON text): the export stages columns in several places (a
 * run's columns once per group, a test's once per shape, the columns most
 * results leave empty in a side table) and joins them back, and this is
 * where that join is checked, on the bundled store and on outputs that fill
 * the sparse columns (requests, sequence numbers, failure details, text).
 */
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {hideLocalPaths} from "../../scripts/export/local-paths.js";
import {join} from "node:path";
import {describe, it} from "node:test";
import {exportStore} from "../../scripts/export/export.js";
import {SPARSE_NAMES} from "../../scripts/export/shard.js";
import {importInputs} from "../../scripts/import/import.js";
import {COLUMNS, toRow} from "../../scripts/schema/row.js";
import type {Run} from "../../scripts/schema/schema.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {duckdbRows} from "../helpers/duckdb.js";
import {fixtureText} from "../helpers/fixtures.js";
import {REPO} from "../helpers/site.js";

/** DuckDB's BIGINT comes back as a bigint; the row has numbers. */
const plain = (value: unknown) => (typeof value === "bigint" ? Number(value) : value);

async function assertEveryColumn(store: Store, jobs: number): Promise<Record<string, number>> {
  const out = tempDir();
  await exportStore(store, out, {jobs});
  // The export publishes home-directory paths as base names (local-paths.ts): the runs as it reads them.
  const published = store
    .inputs()
    .map((sha) => store.parse(sha, Buffer.from(hideLocalPaths(readFileSync(store.runsPath(sha), "utf8")), "utf8")));
  const runs = new Map<string, Run>(published.flatMap((input) => input.runs.map((run) => [run.id, run] as const)));
  const seen = new Map<string, number>();
  const filled: Record<string, number> = {};
  const rows = await duckdbRows(`SELECT * FROM '${join(out, "results.parquet")}'`);
  assert.equal(
    rows.length,
    [...runs.values()].reduce((n, run) => n + run.results.length, 0)
  );
  for (const row of rows) {
    // A run's rows are together and in store order (export.ts); which run comes first is tested in export.test.ts.
    const run = runs.get(row.run_id as string)!;
    const k = seen.get(run.id) ?? 0;
    seen.set(run.id, k + 1);
    const expected = toRow(run, run.results[k], true);
    for (const {name} of COLUMNS) {
      assert.deepEqual(plain(row[name]), expected[name] ?? null, `${run.id} result ${k}: ${name}`);
      if (row[name] !== null) filled[name] = (filled[name] ?? 0) + 1;
    }
  }
  return filled;
}

describe("export: every column of every row", () => {
  it("is the result's flat row, in the bundled store, from one shard and from two", async () => {
    const store = new Store(join(REPO, "data"));
    for (const jobs of [1, 2]) {
      const filled = await assertEveryColumn(store, jobs);
      // The efficiency columns (scripts/efficiency/) reach the Parquet: 22 tg results have a bandwidth share.
      assert.ok(
        filled.bw_util >= 22 && filled.compute_util >= 15 && filled.peak_bw_gbs > filled.bw_util,
        JSON.stringify(filled)
      );
    }
  });

  it("is the result's flat row where the sparse columns are filled", async () => {
    const store = new Store(tempDir());
    const inputs = [
      "endpoint/llama-server-cpu.endpoint.json",
      "hand/observations.csv",
      "logs/sglang-decode-3909.log",
      "llama-server/club3090-1090-n-decoded.md",
      "seeds/000-4x3080-split.txt"
    ];
    const outcomes = importInputs(
      inputs.map((name) => ({name, bytes: Buffer.from(fixtureText(name))})),
      {store, now: () => new Date("2026-01-01T00:00:00Z")}
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      inputs.map(() => "imported")
    );
    const filled = await assertEveryColumn(store, 2);
    // Each sparse column is filled in some rows and empty in others.
    for (const name of SPARSE_NAMES) assert.ok(filled[name] > 0, name);
    assert.ok(filled.request < (filled.run_id ?? 0));
  });
});
