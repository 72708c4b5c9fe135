/**
 * `benchbook compare` over the store's index: the same result as
 * compareRows (scripts/compare/compare.ts) on every row of the store, with
 * the selection, the pairing key, the grouping and each side's pooled mean
 * and sd computed by DuckDB. Only the paired groups come back to
 * JavaScript, where compareMeans (Welch, Fieller) compares them.
 *
 * A key's value is its text exactly as keyValue (scripts/compare/select.ts)
 * prints it: numbers as JavaScript prints them, settings and tags read from
 * their JSON. Run-level keys (settings, tags, the model, the build: most of
 * them) are computed once per group of the index, not once per result.
 * Means and sds add the values in store order, as compareRows does, so
 * both print the same digits.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {compareMeans} from "../statistics/uncertainty.js";
import {CONTEXT_KEYS, DEFAULT_BY, LABEL_KEYS, sideLabel, type CompareOptions, type CompareResult, type Pair, type Side, type SideValue} from "../compare/compare.js";
import type {Selector} from "../compare/select.js";
import {sqlString} from "../export/duckdb-table.js";
import {COLUMNS} from "../schema/row.js";

const COLUMN = new Map<string, {type: string; level: string}>(COLUMNS.map((c) => [c.name, c]));

interface KeyExpr {
  sql: string;
  /** Run-level keys read the `groups` table (alias g), result-level ones `results` (alias r). */
  level: "run" | "result";
  /** A key read from this JSON column: computed once per distinct text of it. */
  json?: "settings" | "tags";
}

const MACROS = [
  // String(x) of a JavaScript number: integers without ".0".
  `CREATE OR REPLACE TEMP MACRO bb_num(x) AS CASE WHEN x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR) ELSE CAST(x AS VARCHAR) END`,
  // A JSON field as keyValue prints it: text as is, other values as JSON, "" and null as NULL.
  `CREATE OR REPLACE TEMP MACRO bb_json(j, p) AS CASE json_type(j, p) WHEN 'VARCHAR' THEN NULLIF(json_extract_string(j, p), '') WHEN 'NULL' THEN NULL ELSE CAST(json_extract(j, p) AS VARCHAR) END`
];

/** keyValue(row, key) in SQL. */
function keyExpr(key: string): KeyExpr {
  const json = (column: "settings" | "tags", name: string): KeyExpr => ({sql: `bb_json(g.${column}, ${sqlString(`$."${name.replace(/["\\]/g, "\\$&")}"`)})`, level: "run", json: column});
  if (key.startsWith("tag.") || key.startsWith("tag:")) return json("tags", key.slice(4));
  if (key.startsWith("setting.") || key.startsWith("settings.")) return json("settings", key.slice(key.indexOf(".") + 1));
  const column = COLUMN.get(key);
  if (!column) return {sql: "CAST(NULL AS VARCHAR)", level: "run"};
  const level = column.level as KeyExpr["level"];
  const ref = `${level === "run" ? "g" : "r"}."${key}"`;
  if (column.type === "VARCHAR") return {sql: `NULLIF(${ref}, '')`, level};
  if (column.type === "DOUBLE") return {sql: `bb_num(${ref})`, level};
  if (column.type === "DOUBLE[]") return {sql: `CASE WHEN ${ref} IS NULL THEN NULL ELSE '[' || array_to_string(list_transform(${ref}, lambda v: bb_num(v)), ',') || ']' END`, level};
  return {sql: `CAST(${ref} AS VARCHAR)`, level};
}

/** A selector's condition on one group (g) and its results (r). */
function selectorSql(selector: Selector, exactRun: boolean): {run: string; result: string} {
  if (selector.kind === "run") return {run: exactRun ? `g.run_id = ${sqlString(selector.id)}` : `starts_with(g.run_id, ${sqlString(selector.id)})`, result: "true"};
  const parts = {run: ["true"], result: ["true"]};
  for (const clause of selector.clauses) {
    const key = keyExpr(clause.key);
    parts[key.level].push(`${clause.negate ? "NOT " : ""}(coalesce(${key.sql}, '') IN (${clause.values.map(sqlString).join(", ")}))`);
  }
  return {run: parts.run.join(" AND "), result: parts.result.join(" AND ")};
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

export interface StoreCompareOptions extends CompareOptions {
  /** Fill each side value's run_ids and sources (every row behind it): --json prints them, the tables do not. */
  provenance?: boolean;
}

export type StoreCompare = {empty: "A" | "B"} | {result: CompareResult};

/**
 * Compare selections A and B of the store (a connection from openStoreQuery):
 * what compareRows(selectRows(all rows, A), selectRows(all rows, B)) returns,
 * or which side selects no results at all.
 */
export async function compareStore(connection: DuckDBConnection, selectors: [Selector, Selector], texts: {a: string; b: string}, options: StoreCompareOptions = {}): Promise<StoreCompare> {
  for (const macro of MACROS) await connection.run(macro);
  // A run id selects that run when a result has it, else the runs it begins (selectRows).
  const exact = await Promise.all(
    selectors.map(async (s) => s.kind === "run" && Number((await rows(connection, `SELECT count(*) AS n FROM results r JOIN groups g USING (input_no, _group) WHERE g.run_id = ${sqlString(s.id)}`))[0].n) > 0)
  );
  const [a, b] = selectors.map((s, i) => selectorSql(s, exact[i]));

  // The requested metrics are known now; "throughput when both sides have it" after the counts.
  const requested = options.metrics?.length ? (options.metrics.includes("all") ? "all" : options.metrics) : null;
  const keyNames = [...new Set([...(options.by?.length ? options.by : DEFAULT_BY), ...CONTEXT_KEYS, ...LABEL_KEYS])];
  const keys = new Map(keyNames.map((k, i) => [k, {...keyExpr(k), column: `k${i}`}]));
  const runKeys = [...keys.values()].filter((k) => k.level === "run");
  const resultKeys = [...keys.values()].filter((k) => k.level === "result");

  // The groups either side chose, in one scan reading only the columns the keys need; then each side's
  // groups (gid: one number per side and group) with the JSON keys, computed once per distinct text.
  const plain = runKeys.filter((k) => !k.json);
  await connection.run(`CREATE OR REPLACE TEMP TABLE chosen AS
    SELECT input_no, _group, run_id, source_sha256, origin, settings, tags, ${a.run} AS in_a, ${b.run} AS in_b${plain.map((k) => `, ${k.sql} AS ${k.column}`).join("")}
    FROM groups g WHERE (${a.run}) OR (${b.run})`);
  const jsonTable = (column: "settings" | "tags") =>
    `SELECT ${column}${runKeys
      .filter((k) => k.json === column)
      .map((k) => `, ${k.sql} AS ${k.column}`)
      .join("")} FROM (SELECT DISTINCT ${column} FROM chosen) g`;
  await connection.run(`CREATE OR REPLACE TEMP TABLE side_groups AS
    WITH settings_keys AS (${jsonTable("settings")}), tags_keys AS (${jsonTable("tags")})
    SELECT row_number() OVER () AS gid, sides.side, c.input_no, c._group, c.run_id, c.source_sha256, c.origin${runKeys.map((k) => `, ${k.json ? (k.json === "settings" ? "s" : "t") : "c"}.${k.column}`).join("")}
    FROM chosen c JOIN (VALUES ('a'), ('b')) sides(side) ON (side = 'a' AND in_a) OR (side = 'b' AND in_b)
      LEFT JOIN settings_keys s ON s.settings IS NOT DISTINCT FROM c.settings LEFT JOIN tags_keys t ON t.tags IS NOT DISTINCT FROM c.tags`);
  // Their results: result-level columns only, pos their place in the store.
  await connection.run(`CREATE OR REPLACE TEMP TABLE side_rows AS
    SELECT s.gid, s.side, s.input_no * 4294967296 + r._ord AS pos, r.scope, r.line, r.metric, r.status, r.status_detail, r.value, r.stddev, r.stddev_kind, r.repetitions, r.text, r.kind AS _kind, r.bw_util AS _bw_util, r.compute_util AS _compute_util${resultKeys.map((k) => `, ${k.sql} AS ${k.column}`).join("")}
    FROM results r JOIN side_groups s USING (input_no, _group)
    WHERE (s.side = 'a' AND ${a.result}) OR (s.side = 'b' AND ${b.result})`);
  const counts = await rows(connection, `SELECT side, count(*) AS n, bool_or(metric = 'throughput') FILTER (WHERE coalesce(scope, 'run') = 'run') AS throughput FROM side_rows GROUP BY side`);
  const count = (side: string) => counts.find((c) => c.side === side);
  if (!count("a")) return {empty: "A"};
  if (!count("b")) return {empty: "B"};
  const metrics = requested ?? (count("a")!.throughput && count("b")!.throughput ? ["throughput"] : "all");

  // The rows compared: summaries of the chosen metrics.
  await connection.run(`CREATE OR REPLACE TEMP VIEW kept AS
    SELECT * FROM side_rows WHERE coalesce(scope, 'run') = 'run'${metrics === "all" ? "" : ` AND metric IN (${metrics.map(sqlString).join(", ")})`}`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE kept_groups AS SELECT * FROM side_groups WHERE gid IN (SELECT DISTINCT gid FROM kept)`);

  // Per side: whether each key takes no value, one (null counting as one, as a Set does) or more, and the value when it is one.
  // min, max and whether nulls occur tell that without counting distinct values.
  const spread = (list: typeof runKeys, table: string) =>
    rows(connection, `SELECT side${list.map((k) => `, min(${k.column}) AS min_${k.column}, max(${k.column}) AS max_${k.column}, bool_or(${k.column} IS NULL) AS null_${k.column}`).join("")} FROM ${table} GROUP BY side`);
  const [runSpread, resultSpread] = await Promise.all([spread(runKeys, "kept_groups"), spread(resultKeys, "kept")]);
  const stats = (side: string, key: string) => {
    const k = keys.get(key)!;
    const row = (k.level === "run" ? runSpread : resultSpread).find((d) => d.side === side);
    if (!row) return {n: 0, value: null};
    const [min, max, nulls] = [row[`min_${k.column}`] as string | null, row[`max_${k.column}`] as string | null, row[`null_${k.column}`] as boolean];
    return {n: min === null ? 1 : Number(min !== max) + 1 + Number(nulls), value: min};
  };

  let by = options.by?.length ? [...options.by] : [...DEFAULT_BY];
  const varying: string[] = [];
  if (!options.by?.length) {
    for (const key of CONTEXT_KEYS) if (!by.includes(key) && (stats("a", key).n > 1 || stats("b", key).n > 1)) varying.push(key);
    by = [...by, ...varying];
  }

  const byColumns = by.map((k) => keys.get(k)!);
  const provenance = options.provenance ?? true;
  const ok = "(r.status = 'ok' AND r.value IS NOT NULL)";
  const groups = await rows(
    connection,
    `WITH g AS (
      SELECT r.side${byColumns.map((k, i) => `, ${k.level === "run" ? "s" : "r"}.${k.column} AS key${i}`).join("")},
        min(r.pos) AS first, count(*) AS n_rows,
        ${provenance ? "list(s.run_id ORDER BY r.pos) AS run_ids, list({'sha256': s.source_sha256, 'line': coalesce(r.line, 0)} ORDER BY r.pos) AS sources" : "NULL AS run_ids, NULL AS sources"},
        CASE WHEN count(*) = 1 THEN any_value(r.text) END AS text,
        bool_or(s.origin = 'hand-entered') AS hand,
        count(*) FILTER (WHERE ${ok}) AS n_ok,
        list(${UTIL} ORDER BY r.pos) AS utils,
        list(r.value ORDER BY r.pos) FILTER (WHERE ${ok}) AS vals,
        any_value({'stddev': r.stddev, 'stddev_kind': r.stddev_kind, 'repetitions': r.repetitions}) FILTER (WHERE ${ok}) AS one,
        coalesce(arg_min({'status': coalesce(r.status, 'error'), 'detail': r.status_detail}, r.pos) FILTER (WHERE r.status IS DISTINCT FROM 'ok'), arg_min({'status': coalesce(r.status, 'error'), 'detail': r.status_detail}, r.pos)) AS failed
      FROM kept r JOIN kept_groups s USING (gid) GROUP BY ALL
    ), m AS (
      SELECT *, list_reduce(vals, lambda x, y: x + y) / len(vals) AS mean FROM g
    )
    SELECT * EXCLUDE (vals, utils), vals[1] AS single,
      CASE WHEN list_count(utils) = len(utils) THEN list_reduce(utils, lambda x, y: x + y) / len(utils) END AS limit_util,
      CASE WHEN n_ok > 1 THEN sqrt(list_reduce(list_transform(vals, lambda v: (v - mean) * (v - mean)), lambda x, y: x + y) / (n_ok - 1)) END AS sd
    FROM m ORDER BY side, first`
  );

  const pairsById = new Map<string, {key: (string | null)[]; a: SideValue | null; b: SideValue | null; first: [number, number]}>();
  for (const g of groups) {
    const key = by.map((_, i) => (g[`key${i}`] as string | null) ?? null);
    const id = JSON.stringify(key);
    let pair = pairsById.get(id);
    if (!pair) pairsById.set(id, (pair = {key, a: null, b: null, first: [Infinity, Infinity]}));
    const side = g.side as "a" | "b";
    pair[side] = sideValue(g, provenance);
    pair.first[side === "a" ? 0 : 1] = Number(g.first);
  }
  // compareRows meets the groups in A's rows first, then in B's.
  const before = (x: number, y: number) => (x === y ? 0 : x < y ? -1 : 1);
  const ordered = [...pairsById.values()].sort((x, y) => before(x.first[0], y.first[0]) || before(x.first[1], y.first[1]));
  const pairs: Pair[] = ordered.map((p) => ({
    key: Object.fromEntries(by.map((k, i) => [k, p.key[i]])),
    a: p.a,
    b: p.b,
    comparison: p.a && p.b && p.a.status === "ok" && p.b.status === "ok" ? compareMeans(p.a, p.b) : null
  }));

  // Each side: its rows, its runs in store order, and the label keys that tell it from the other.
  const sides = await rows(connection, `SELECT side, count(*) AS n FROM kept GROUP BY side`);
  const runs = await rows(connection, `SELECT s.side, s.run_id FROM kept r JOIN kept_groups s USING (gid) GROUP BY s.side, s.run_id ORDER BY s.side, min(r.pos)`);
  const da: Record<string, string | null> = {};
  const db: Record<string, string | null> = {};
  for (const key of LABEL_KEYS) {
    const [x, y] = [stats("a", key), stats("b", key)];
    if (x.n === 1 && y.n === 1 && x.value !== y.value && x.value !== null && y.value !== null) {
      da[key] = x.value;
      db[key] = y.value;
    }
  }
  const side = (name: "a" | "b", selector: string, distinguishing: Record<string, string | null>): Side => ({
    selector,
    label: sideLabel(distinguishing, selector),
    distinguishing,
    rows: Number(sides.find((s) => s.side === name)?.n ?? 0),
    runs: runs.filter((r) => r.side === name).map((r) => String(r.run_id))
  });
  return {result: {a: side("a", texts.a, da), b: side("b", texts.b, db), by, varying, metrics, pairs}};
}

/** A result's share of its hardware's limit (efficiency.ts limitShare): bandwidth for tg, compute for pp. */
const UTIL = "CASE r._kind WHEN 'tg' THEN r._bw_util WHEN 'pp' THEN r._compute_util END";

/** compareRows's sideValue from a group's aggregates. */
function sideValue(g: Record<string, unknown>, provenance: boolean): SideValue {
  const base = {
    n_rows: Number(g.n_rows),
    run_ids: provenance ? [...new Set(g.run_ids as string[])] : [],
    sources: provenance ? (g.sources as {sha256: string; line: number}[]) : [],
    text: (g.text as string | null) ?? null,
    origin: g.hand ? "hand-entered" : "measured",
    limit_util: (g.limit_util as number | null) ?? null
  };
  const nOk = Number(g.n_ok);
  if (nOk === 0) {
    const failed = g.failed as {status: string; detail: string | null};
    return {...base, value: NaN, stddev: null, stddev_kind: null, repetitions: null, status: failed.status, status_detail: failed.detail ?? null};
  }
  if (nOk === 1) {
    const one = g.one as {stddev: number | null; stddev_kind: string | null; repetitions: number | null};
    return {...base, value: g.single as number, stddev: one.stddev ?? null, stddev_kind: one.stddev_kind ?? null, repetitions: one.repetitions ?? null, status: "ok", status_detail: null};
  }
  return {...base, value: g.mean as number, stddev: g.sd as number, stddev_kind: "sample", repetitions: nOk, status: "ok", status_detail: null};
}
