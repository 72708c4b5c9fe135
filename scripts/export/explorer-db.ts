/**
 * results.duckdb: results.parquet's rows, order and column types as view `results` of a DuckDB database, for the
 * explorer (DuckDB-wasm reads no Parquet offline, but attaches a database by URL and reads it by range requests).
 * The table under the view keeps few-valued text as ENUM codes (strings cost several times more to write); the view
 * casts them back. DuckDB leaves stale memory in unused block bytes, so the same rows never write the same bytes:
 * the last file is kept while results.parquet is unchanged, and the site keeps its content hash.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {existsSync, readFileSync, statSync} from "node:fs";
import {quoted, sqlString} from "./duckdb-table.js";

/** The newest storage format DuckDB-wasm 1.32 (DuckDB 1.4.3) reads; DuckDB in Node would otherwise be free to write a newer one. */
export const EXPLORER_STORAGE_VERSION = "v1.4.0";

/** The table of ENUM codes, while the database is attached to the export's connection as `explorer`. */
export const EXPLORER_CODED = "explorer.results_coded";

/**
 * Compression methods DuckDB need not try on this table: with them, writing
 * it took about twice the CPU (most in roaring, for validity masks) for a
 * file of the same size.
 */
const NOT_TRIED = "zstd,roaring,chimp,patas,alprd,fsst";

/**
 * Create the database at `path`, attached to `connection` as `explorer`:
 * table `results_coded` holding what `select` returns, in its order (the
 * caller sets preserve_insertion_order), and view `results` over it with
 * each of `enums` (columns of ENUM types) cast to text. It stays attached
 * until detachExplorerDb.
 */
export async function writeExplorerDb(
  connection: DuckDBConnection,
  path: string,
  select: string,
  enums: string[]
): Promise<void> {
  await connection.run(
    `ATTACH ${sqlString(path)} AS explorer (STORAGE_VERSION ${sqlString(EXPLORER_STORAGE_VERSION)})`
  );
  await connection.run(`SET disabled_compression_methods = ${sqlString(NOT_TRIED)}`);
  try {
    await connection.run(`CREATE TABLE ${EXPLORER_CODED} AS ${select}`);
    await connection.run("CHECKPOINT explorer");
  } finally {
    await connection.run("RESET disabled_compression_methods");
  }
  const casts = enums.map((name) => `${quoted(name)}::VARCHAR AS ${quoted(name)}`);
  // Unqualified: a view binds in its own database, whatever name the reader attaches it under.
  await connection.run(
    `CREATE VIEW explorer.results AS SELECT * ${casts.length ? `REPLACE (${casts.join(", ")}) ` : ""}FROM results_coded`
  );
}

/** DETACH: every row is in the file and no write-ahead log is left beside it. */
export async function detachExplorerDb(connection: DuckDBConnection): Promise<void> {
  await connection.run("DETACH explorer");
}

/** Whether `parquet` holds the same bytes as `previousParquet`, and the database written with that is still there. */
export function sameExport(parquet: string, previousParquet: string, previousDatabase: string): boolean {
  return (
    existsSync(previousDatabase) &&
    existsSync(previousParquet) &&
    statSync(parquet).size === statSync(previousParquet).size &&
    readFileSync(parquet).equals(readFileSync(previousParquet))
  );
}
