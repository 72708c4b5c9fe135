/**
 * results.duckdb, the explorer's copy of results.parquet: the same rows, in
 * the same order, with the same column types, as a DuckDB database holding
 * one table, `results`. DuckDB-wasm has no Parquet reader of its own (its
 * parquet extension would be fetched from extensions.duckdb.org, which an
 * offline site never does), but it attaches a database file by URL and reads
 * only the blocks a query needs, with HTTP range requests
 * (src/components/pages/explorer.ts).
 *
 * DuckDB leaves the unused bytes of a block as they were in memory, so two
 * writes of the same rows differ in bytes. The file is written from
 * results.parquet alone, in an instance of its own, and kept while
 * results.parquet does not change, so an unchanged store keeps the file
 * (and the site its content hash).
 */
import {DuckDBInstance} from "@duckdb/node-api";
import {existsSync, readFileSync, rmSync, statSync} from "node:fs";
import {sqlString} from "./duckdb-table.js";

/** The newest storage format DuckDB-wasm 1.32 (DuckDB 1.4.3) reads; newer DuckDB in Node would otherwise be free to write a newer one. */
export const EXPLORER_STORAGE_VERSION = "v1.4.0";

/** Whether two files hold the same bytes (sizes first). */
function sameBytes(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && statSync(a).size === statSync(b).size && readFileSync(a).equals(readFileSync(b));
}

/**
 * Write the explorer's database for `parquet` to `tmp`, unless
 * `previousParquet` holds the same bytes and its `database` exists (then the
 * caller keeps that). Returns whether it wrote `tmp`.
 */
export async function writeExplorerDb({
  parquet,
  previousParquet,
  database,
  tmp
}: {
  parquet: string;
  previousParquet: string;
  database: string;
  tmp: string;
}): Promise<boolean> {
  if (existsSync(database) && sameBytes(parquet, previousParquet)) return false;
  rmSync(tmp, {force: true});
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(
      `ATTACH ${sqlString(tmp)} AS explorer (STORAGE_VERSION ${sqlString(EXPLORER_STORAGE_VERSION)})`
    );
    await connection.run(`CREATE TABLE explorer.results AS SELECT * FROM read_parquet(${sqlString(parquet)})`);
    // DETACH checkpoints: every row is in the file and no write-ahead log is left beside it.
    await connection.run("DETACH explorer");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return true;
}
