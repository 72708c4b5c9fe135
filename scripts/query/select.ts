/**
 * compare's selectors (scripts/compare/select.ts) and keys as SQL over the
 * store's index (connection.ts): the conditions selectRows applies and the
 * text keyValue prints, for the reads that select rows (compare, history).
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {Selector} from "../compare/select.js";
import {sqlString} from "../export/duckdb-table.js";
import {COLUMNS} from "../schema/row.js";

const COLUMN = new Map<string, {type: string; level: string}>(COLUMNS.map((c) => [c.name, c]));

export interface KeyExpr {
  sql: string;
  /** Run-level keys read the `groups` table (alias g), result-level ones `results` (alias r). */
  level: "run" | "result";
  /** A key read from this JSON column: computed once per distinct text of it. */
  json?: "settings" | "tags";
}

const MACROS = [
  // String(x) of a JavaScript number: integers without ".0".
  `CREATE OR REPLACE MACRO bb_num(x) AS CASE WHEN x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR) ELSE CAST(x AS VARCHAR) END`,
  // A JSON field as keyValue prints it: text as is, other values as JSON, "" and null as NULL.
  `CREATE OR REPLACE MACRO bb_json(j, p) AS CASE json_type(j, p) WHEN 'VARCHAR' THEN NULLIF(json_extract_string(j, p), '') WHEN 'NULL' THEN NULL ELSE CAST(json_extract(j, p) AS VARCHAR) END`
];

/** Define the macros keyExpr's SQL calls (one call: every statement costs a round trip). */
export async function useMacros(connection: DuckDBConnection): Promise<void> {
  await connection.run(MACROS.join(";\n"));
}

/** keyValue(row, key) in SQL. */
export function keyExpr(key: string): KeyExpr {
  const json = (column: "settings" | "tags", name: string): KeyExpr => ({
    sql: `bb_json(g.${column}, ${sqlString(`$."${name.replace(/["\\]/g, "\\$&")}"`)})`,
    level: "run",
    json: column
  });
  if (key.startsWith("tag.") || key.startsWith("tag:")) return json("tags", key.slice(4));
  if (key.startsWith("setting.") || key.startsWith("settings."))
    return json("settings", key.slice(key.indexOf(".") + 1));
  const column = COLUMN.get(key);
  if (!column) return {sql: "CAST(NULL AS VARCHAR)", level: "run"};
  const level = column.level as KeyExpr["level"];
  const ref = `${level === "run" ? "g" : "r"}."${key}"`;
  if (column.type === "VARCHAR") return {sql: `NULLIF(${ref}, '')`, level};
  if (column.type === "DOUBLE") return {sql: `bb_num(${ref})`, level};
  if (column.type === "DOUBLE[]")
    return {
      sql: `CASE WHEN ${ref} IS NULL THEN NULL ELSE '[' || array_to_string(list_transform(${ref}, lambda v: bb_num(v)), ',') || ']' END`,
      level
    };
  return {sql: `CAST(${ref} AS VARCHAR)`, level};
}

/**
 * Whether each run selector names a run exactly: a run id selects that run
 * when a result has it, else the runs it begins (selectRows).
 */
export function exactRuns(connection: DuckDBConnection, selectors: readonly Selector[]): Promise<boolean[]> {
  return Promise.all(
    selectors.map(
      async (s) =>
        s.kind === "run" &&
        Number(
          (
            await rows(
              connection,
              `SELECT count(*) AS n FROM results r JOIN groups g USING (input_no, _group) WHERE g.run_id = ${sqlString(s.id)}`
            )
          )[0].n
        ) > 0
    )
  );
}

/** A selector's condition on one group (g) and its results (r). */
export function selectorSql(selector: Selector, exactRun: boolean): {run: string; result: string} {
  if (selector.kind === "run")
    return {
      run: exactRun ? `g.run_id = ${sqlString(selector.id)}` : `starts_with(g.run_id, ${sqlString(selector.id)})`,
      result: "true"
    };
  const parts = {run: ["true"], result: ["true"]};
  for (const clause of selector.clauses) {
    const key = keyExpr(clause.key);
    parts[key.level].push(
      `${clause.negate ? "NOT " : ""}(coalesce(${key.sql}, '') IN (${clause.values.map(sqlString).join(", ")}))`
    );
  }
  return {run: parts.run.join(" AND "), result: parts.result.join(" AND ")};
}

export async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}
