/** The rows `benchbook history` analyses, read over the store's index in store order. */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {Selector} from "../compare/select.js";
import {quoted} from "../export/duckdb-table.js";
import {COLUMNS, type Row} from "../schema/row.js";
import {exactRuns, rows, selectorSql, useMacros} from "./select.js";

/** The columns toRow keeps as objects (text in the index). */
const JSON_COLUMNS = new Set([
  "tags",
  "gpus",
  "settings",
  "varied_settings",
  "settings_from_command",
  "notes",
  "extra",
  "result_extra"
]);
const HISTORY_ROW =
  "coalesce(r.scope, 'run') = 'run' AND r.status = 'ok' AND isfinite(r.value) AND g.origin IS DISTINCT FROM 'hand-entered'";

export type HistoryRows = {rows: Row[]} | {empty: Selector};

export async function queryHistoryRows(
  connection: DuckDBConnection,
  selectors: readonly Selector[]
): Promise<HistoryRows> {
  await useMacros(connection);
  const exact = await exactRuns(connection, selectors);
  const conditions = selectors.map((s, i) => {
    const {run, result} = selectorSql(s, exact[i]);
    return `((${run}) AND (${result}))`;
  });
  // A selector that selects no result at all is an error (even one history would not use).
  for (const [i, condition] of conditions.entries()) {
    const [{n}] = await rows(
      connection,
      `SELECT count(*) AS n FROM results r JOIN groups g USING (input_no, _group) WHERE ${condition}`
    );
    if (Number(n) === 0) return {empty: selectors[i]};
  }
  const columns = COLUMNS.map((c) => `${c.level === "run" ? "g" : "r"}.${quoted(c.name)}`).join(", ");
  const reader = await connection.runAndReadAll(
    `SELECT ${columns} FROM results r JOIN groups g USING (input_no, _group)
    WHERE ${HISTORY_ROW}${conditions.length ? ` AND (${conditions.join(" OR ")})` : ""}
    ORDER BY r.input_no, r._ord`
  );
  const found: Row[] = [];
  for (const record of reader.getRowObjectsJS()) {
    const row: Row = {};
    for (const {name} of COLUMNS) {
      const value = record[name];
      row[name] =
        typeof value === "bigint"
          ? Number(value)
          : typeof value === "string" && JSON_COLUMNS.has(name)
            ? (JSON.parse(value) as Row[string])
            : (value as Row[string]);
    }
    found.push(row);
  }
  return {rows: found};
}
