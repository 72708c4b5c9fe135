/**
 * A DuckDB connection over the store's index, updated first: views `groups`, `results`, `runs` and `rows` (the
 * flat row; ORDER BY input_no, _ord is store order).
 */
import {DuckDBInstance, type DuckDBConnection} from "@duckdb/node-api";
import {COLUMNS} from "../schema/row.js";
import type {Store} from "../store/store.js";
import {quoted, sqlString} from "../export/duckdb-table.js";
import {syncIndex, TABLES, type Table} from "./index.js";

export interface StoreQuery {
  connection: DuckDBConnection;
  /** Inputs in the store. */
  inputs: number;
  close(): void;
}

export async function openStoreQuery(store: Store): Promise<StoreQuery> {
  const {entries} = await syncIndex(store);
  // One thread: these queries are small, and a second thread costs more to coordinate than it saves.
  const instance = await DuckDBInstance.create(":memory:", {threads: "1"});
  const connection = await instance.connect();
  // Each query reads the same few footers again; keep them.
  await connection.run("SET parquet_metadata_cache = true");
  // One scan over every input's file, each row numbered by its file's place in the list, which is store
  // order (input_no): queries join and order on that number rather than on the 64-character sha256.
  // One scan of a list binds one file's schema, where a union of one scan per file bound every file.
  for (const [name, spec] of Object.entries(TABLES)) {
    const files = entries.map((e) => sqlString(e.files[name as Table]));
    await connection.run(
      files.length
        ? `CREATE TEMP VIEW ${name} AS SELECT *, CAST(file_index AS INTEGER) AS input_no FROM read_parquet([${files.join(", ")}])`
        : `CREATE TEMP TABLE ${name} (${spec.map((c) => `${quoted(c.name)} ${c.type}`).join(", ")}, input_no INTEGER)`
    );
  }
  const flat = COLUMNS.map((c) => `${c.level === "run" ? "g" : "r"}.${quoted(c.name)}`).join(", ");
  await connection.run(
    `CREATE TEMP VIEW rows AS SELECT ${flat}, r.input_no, r._group, r._ord FROM results r JOIN groups g USING (input_no, _group)`
  );
  return {
    connection,
    inputs: entries.length,
    close() {
      connection.closeSync();
      instance.closeSync();
    }
  };
}
