/**
 * src/data/history.json for the site's history page: the series, their
 * change points and "what changed since the previous build"
 * (scripts/history/page-data.ts), computed from the summary rows of the
 * results.parquet just written (DuckDB reads only the columns a series needs).
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {join} from "node:path";
import {history} from "../history/history.js";
import {historyPageData} from "../history/page-data.js";
import {SERIES_COLUMNS} from "../history/series.js";
import type {Row} from "../schema/row.js";
import {quoted, sqlString} from "./duckdb-table.js";
import {writeDerived} from "./files.js";

const COLUMNS = [
  ...SERIES_COLUMNS,
  "settings",
  "build_commit",
  "tool_version",
  "started_at",
  "time",
  "imported_at",
  "value",
  "stddev",
  "stddev_kind",
  "repetitions",
  "run_id",
  "source_sha256",
  "line",
  "scope",
  "status",
  "origin"
];

export async function writeHistory(connection: DuckDBConnection, parquet: string, outDir: string): Promise<void> {
  const sql = `SELECT ${COLUMNS.map(quoted).join(", ")}, build_number::DOUBLE AS build_number FROM read_parquet(${sqlString(parquet)}) WHERE coalesce(scope, 'run') = 'run' AND status = 'ok' AND value IS NOT NULL`;
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Row[];
  writeDerived(join(outDir, "history.json"), JSON.stringify(historyPageData(history(rows))));
}
