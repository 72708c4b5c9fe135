/**
 * src/data/history.json (scripts/history/page-data.ts) from the summary rows just written. DuckDB groups rows
 * by what a series and build share, so that text crosses into JavaScript once per group.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {join} from "node:path";
import {historyOfGroups} from "../history/history.js";
import {historyPageData} from "../history/page-data.js";
import {SERIES_COLUMNS, type SharedRows} from "../history/series.js";
import type {Row} from "../schema/row.js";
import {quoted, sqlString} from "./duckdb-table.js";
import {writeDerived} from "./files.js";

/** Shared by a group: a series' key columns, its settings, its build. */
const GROUP = [...SERIES_COLUMNS, "settings", "build_commit", "tool_version"];
/** One per row. */
const EACH = [
  "value",
  "stddev",
  "stddev_kind",
  "repetitions",
  "run_id",
  "source_sha256",
  "line",
  "started_at",
  "time",
  "imported_at"
];

export async function writeHistory(connection: DuckDBConnection, parquet: string, outDir: string): Promise<void> {
  // Only measurements taken with two builds or more (counted before settings split them further): one build is no history.
  const build = "coalesce(build_commit, build_number::VARCHAR, tool_version, run_id)";
  const sql = `WITH kept AS (
      SELECT *, count(DISTINCT ${build}) OVER (PARTITION BY ${SERIES_COLUMNS.map(quoted).join(", ")}) AS builds
      FROM read_parquet(${sqlString(parquet)})
      WHERE coalesce(scope, 'run') = 'run' AND status = 'ok' AND value IS NOT NULL AND coalesce(origin, '') <> 'hand-entered'
        AND NOT (tool = 'llama-bench' AND metric = 'duration' AND unit = 'ns'))
    SELECT ${GROUP.map(quoted).join(", ")}, build_number::DOUBLE AS build_number, ${EACH.map((c) => `list(${quoted(c)}) AS ${quoted(c)}`).join(", ")}
    FROM kept WHERE builds >= 2
    GROUP BY ALL`;
  const groups: SharedRows[] = (
    (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, Row[string][]>[]
  ).map((group) => {
    const head: Row = {};
    for (const c of [...GROUP, "build_number"]) head[c] = group[c] as Row[string];
    const rows = group.value.map((_, i) => {
      const row: Row = {};
      for (const c of EACH) row[c] = group[c][i];
      return row;
    });
    return {head, rows};
  });
  writeDerived(join(outDir, "history.json"), JSON.stringify(historyPageData(historyOfGroups(groups))));
}
