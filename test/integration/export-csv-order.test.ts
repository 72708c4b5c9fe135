/**
 * results.csv holds results.parquet's rows in the same order (the site's), and the same bytes at every export of
 * the same store. DuckDB's parallel CSV writer did not keep that order: on perf/compare.ts's store at 200 to 1000
 * models (19,200 to 96,000 results) the CSV's rows came out in another order at most exports, so the check needs a
 * store of several Parquet row groups (scripts/export/export.ts ROW_GROUP_ROWS).
 */
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {writeCompareJsonl} from "../../perf/compare.js";
import {exportStore, ROW_GROUP_ROWS} from "../../scripts/export/export.js";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {duckdbRows} from "../helpers/duckdb.js";

/** Each row's identity (its run, raw line, test and metric), in file order, one thread reading. */
async function identities(file: string, reader: string): Promise<string[]> {
  const rows = await duckdbRows(
    `SET threads = 1; SELECT concat_ws('|', run_id, line, test, metric) AS id FROM ${reader}('${file}'${reader === "read_csv" ? ", all_varchar = true" : ""})`
  );
  return rows.map((r) => String(r.id));
}

describe("export: results.csv", () => {
  it("lists results.parquet's rows in its order, the same bytes at each export, at 48,000 results", async () => {
    const {builds} = writeCompareJsonl(tempDir(), 500);
    const store = new Store(tempDir());
    importInputs(
      builds.map((name) => ({name, bytes: readFileSync(name)})),
      {store}
    );
    const first = tempDir();
    const summary = await exportStore(store, first, {jobs: 1});
    assert.equal(summary.rows, 48000);
    assert.ok(summary.rows > 2 * ROW_GROUP_ROWS);
    const parquet = await identities(join(first, "results.parquet"), "read_parquet");
    const csv = await identities(join(first, "results.csv"), "read_csv");
    assert.equal(new Set(parquet).size, parquet.length, "each row named once");
    assert.equal(csv.length, parquet.length);
    const firstOff = csv.findIndex((id, i) => id !== parquet[i]);
    assert.equal(firstOff, -1, `CSV row ${firstOff + 1} is not the Parquet's`);
    const second = tempDir();
    await exportStore(store, second, {jobs: 1});
    assert.ok(readFileSync(join(first, "results.csv")).equals(readFileSync(join(second, "results.csv"))));
  });
});
