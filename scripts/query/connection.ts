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
  /** Another connection to the same views, for a query run beside one on `connection` (closed by close()). */
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

export async function openStoreQuery(store: Store): Promise<StoreQuery> {
  // One thread per query: these queries are small, and a second thread costs more to coordinate than it saves; a
  // command that has two independent queries runs them on two connections at once. DuckDB starts while the index
  // is brought up to date.
  const starting = DuckDBInstance.create(":memory:", {threads: "1"});
  const indexed = syncIndex(store).catch((error: unknown) => error as Error);
  const instance = await starting;
  const state = await indexed;
  if (state instanceof Error) {
    instance.closeSync();
    throw state;
  }
  const {entries} = state;
  const connection = await instance.connect();
  const others: DuckDBConnection[] = [];
  // Each query reads the same few footers again: keep them (for every connection). The views are the database's,
  // not one connection's: every connection sees them. One scan over every input's file, each row numbered by its
  // file's place in the list, which is store order (input_no): queries join and order on that number rather than on
  // the 64-character sha256. One scan of a list binds one file's schema, where a union of one scan per file bound
  // every file. All in one call: every statement costs a round trip.
  const views = Object.entries(TABLES).map(([name, spec]) => {
    const files = entries.map((e) => sqlString(e.files[name as Table]));
    return files.length
      ? `CREATE VIEW ${name} AS SELECT *, CAST(file_index AS INTEGER) AS input_no FROM read_parquet([${files.join(", ")}])`
      : `CREATE TABLE ${name} (${spec.map((c) => `${quoted(c.name)} ${c.type}`).join(", ")}, input_no INTEGER)`;
  });
  const flat = COLUMNS.map((c) => `${c.level === "run" ? "g" : "r"}.${quoted(c.name)}`).join(", ");
  await connection.run(
    [
      "SET GLOBAL parquet_metadata_cache = true",
      ...views,
      `CREATE VIEW rows AS SELECT ${flat}, r.input_no, r._group, r._ord FROM results r JOIN groups g USING (input_no, _group)`
    ].join(";\n")
  );
  return {
    connection,
    inputs: entries.length,
    async connect() {
      const other = await instance.connect();
      others.push(other);
      return other;
    },
    close() {
      for (const other of others) other.closeSync();
      connection.closeSync();
      instance.closeSync();
    }
  };
}
