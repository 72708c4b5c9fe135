/**
 * A DuckDB connection over the store's index (index.ts), brought up to date
 * first. Views: `groups`, `results` and `runs`, one per index table, and
 * `rows`, the flat row (scripts/schema/row.ts) with `_input`, `_group` and
 * `_ord` (ORDER BY _input, _ord is store order). Queries read the Parquet
 * files themselves, so what a command holds is what its query returns.
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
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  for (const [name, spec] of Object.entries(TABLES)) {
    const files = entries.map((e) => e.files[name as Table]);
    await connection.run(
      files.length
        ? `CREATE TEMP VIEW ${name} AS SELECT * FROM read_parquet([${files.map(sqlString).join(", ")}])`
        : `CREATE TEMP TABLE ${name} (${spec.map((c) => `${quoted(c.name)} ${c.type}`).join(", ")})`
    );
  }
  const flat = COLUMNS.map((c) => `${c.level === "run" ? "g" : "r"}.${quoted(c.name)}`).join(", ");
  await connection.run(`CREATE TEMP VIEW rows AS SELECT ${flat}, r._input, r._group, r._ord FROM results r JOIN groups g USING (_input, _group)`);
  return {
    connection,
    inputs: entries.length,
    close() {
      connection.closeSync();
      instance.closeSync();
    }
  };
}
