/**
 * The explorer's former Parquet → Arrow conversion, kept as the perf baseline (perf/explorer-parquet/),
 * batch by batch, against real DuckDB reading the same file: every row and
 * column of the bundled store comes through with the same value, null and
 * type family, whatever the batch boundaries.
 */
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {before, describe, it} from "node:test";
import {duckdbRows} from "../helpers/duckdb.js";
import type * as arrow from "apache-arrow";
import {parquetToArrow} from "../../perf/explorer-parquet/explorer-parquet.js";
import {exportStore} from "../../scripts/export/export.js";
import {Store} from "../../scripts/store/store.js";
import {REPO} from "../helpers/site.js";
import {tempDir} from "../helpers/cli.js";

/** Values of both sides in one shape: bigints as numbers, lists as arrays. */
function plain(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return Number(value);
  if (value && typeof value === "object" && typeof (value as {toArray?: unknown}).toArray === "function")
    return Array.from((value as {toArray(): ArrayLike<unknown>}).toArray(), plain);
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

const arrayBuffer = (path: string) => {
  const bytes = readFileSync(path);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
};

describe("explorer: results.parquet as Arrow batches", () => {
  let parquet: string;
  let small: string;
  let expected: Record<string, unknown>[];
  before(async () => {
    const out = tempDir();
    await exportStore(new Store(join(REPO, "data")), out);
    parquet = join(out, "results.parquet");
    // The rows twenty times over in row groups of 2,048 (DuckDB's smallest), so batches of 4,096 rows split the file.
    small = join(out, "small-groups.parquet");
    await duckdbRows(
      `COPY (SELECT results.* FROM read_parquet('${parquet}') AS results, range(20) ORDER BY range) TO '${small}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`
    );
    expected = (await duckdbRows(`SELECT * FROM read_parquet('${parquet}')`)).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)]))
    );
  });

  async function batches(path: string, batchRows?: number): Promise<arrow.Table[]> {
    const tables: arrow.Table[] = [];
    for await (const table of parquetToArrow(arrayBuffer(path), batchRows)) tables.push(table);
    return tables;
  }

  function rows(tables: arrow.Table[]): Record<string, unknown>[] {
    return tables.flatMap((table) =>
      table
        .toArray()
        .map((row) =>
          Object.fromEntries(Object.entries(row.toJSON() as Record<string, unknown>).map(([k, v]) => [k, plain(v)]))
        )
    );
  }

  it("gives every value DuckDB reads, in order", async () => {
    assert.ok(expected.length > 300, `the bundled store has ${expected.length} results`);
    const got = rows(await batches(parquet));
    assert.equal(got.length, expected.length);
    for (let i = 0; i < expected.length; i++) assert.deepEqual(got[i], expected[i], `row ${i}`);
  });

  it("splits at row groups and keeps one schema across batches", async () => {
    const [{groups}] = await duckdbRows(
      `SELECT count(DISTINCT row_group_id)::INTEGER AS groups FROM parquet_metadata('${small}')`
    );
    assert.ok((groups as number) > 1, `${groups} row groups`);
    const tables = await batches(small, 4096);
    assert.ok(tables.length > 1);
    assert.ok(tables.every((t) => t.numRows <= 4096));
    assert.ok(tables.every((t) => t.schema.fields.map(String).join() === tables[0].schema.fields.map(String).join()));
    const got = rows(tables);
    const want = (await duckdbRows(`SELECT * FROM read_parquet('${small}')`)).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)]))
    );
    assert.equal(got.length, expected.length * 20);
    for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `row ${i}`);
  });

  it("types columns by their Parquet type: text dictionary-encoded, numbers as numbers, samples as lists", async () => {
    const [table] = await batches(parquet);
    const type = (name: string) => String(table.schema.fields.find((f) => f.name === name)!.type);
    assert.match(type("model_label"), /^Dictionary<Int32, Utf8>$/);
    assert.equal(type("value"), "Float64");
    assert.equal(type("line"), "Int32");
    assert.equal(type("n_depth"), "Int64");
    assert.match(type("samples"), /^List<Float64>$/);
    assert.ok(
      expected.some((row) => Array.isArray(row.samples) && row.samples.length > 1),
      "the store has per-repetition samples"
    );
  });
});
