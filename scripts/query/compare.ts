/**
 * `benchbook compare` over the store's index: compareRows' result with selection, pairing and pooling done by
 * DuckDB. Keys print as keyValue prints them and sums run in store order, so both give the same digits.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {
  CONTEXT_KEYS,
  DEFAULT_BY,
  LABEL_KEYS,
  sideLabel,
  type CompareOptions,
  type CompareResult,
  type Pair,
  type Side,
  type SideValue
} from "../compare/result.js";
import type {Selector} from "../compare/select.js";
import {sqlString} from "../export/duckdb-table.js";
import {exactRuns, keyExpr, rows, selectorSql, useMacros} from "./select.js";

export interface StoreCompareOptions extends CompareOptions {
  /** Fill each side value's run_ids and sources (every row behind it): --json prints them, the tables do not. */
  provenance?: boolean;
}

export type StoreCompare = {empty: "A" | "B"} | {result: CompareResult};

/**
 * Compare selections A and B of the store (a connection from openStoreQuery):
 * what compareRows(selectRows(all rows, A), selectRows(all rows, B)) returns,
 * or which side selects no results at all. With `beside`, a second
 * connection to the same database (StoreQuery.connect), the grouped means
 * are read on it while `connection` reads the sides, when the pairing key is
 * given (--by): the metric is then taken to be throughput, and the means
 * read again if it is not.
 */
export async function compareStore(
  connection: DuckDBConnection,
  selectors: [Selector, Selector],
  texts: {a: string; b: string},
  options: StoreCompareOptions = {},
  beside?: DuckDBConnection
): Promise<StoreCompare> {
  // The statistics (and jstat) load while DuckDB reads.
  const statistics = import("../statistics/uncertainty.js");
  await useMacros(connection);
  const exact = await exactRuns(connection, selectors);
  const [a, b] = selectors.map((s, i) => selectorSql(s, exact[i]));

  // The keys: the pairing key (given, or the default and the context keys that may vary) and the label keys.
  const requested = options.metrics?.length ? (options.metrics.includes("all") ? "all" : options.metrics) : null;
  const candidates = options.by?.length ? options.by : [...DEFAULT_BY, ...CONTEXT_KEYS];
  const keyNames = [...new Set([...candidates, ...LABEL_KEYS])];
  const keys = new Map(keyNames.map((k, i) => [k, {...keyExpr(k), name: k, column: `k${i}`}]));
  const runKeys = [...keys.values()].filter((k) => k.level === "run");
  const resultKeys = [...keys.values()].filter((k) => k.level === "result");
  const provenance = options.provenance ?? true;

  // The groups of the index either side chose (run-level keys read from JSON computed once per distinct text).
  const plain = runKeys.filter((k) => !k.json);
  // A JSON column is read (and its keys joined back once per distinct text) only when a key comes from it.
  const jsonColumns = (["settings", "tags"] as const).filter((column) => runKeys.some((k) => k.json === column));
  const alias = {settings: "s", tags: "t"} as const;
  const sideGroups = (side: "a" | "b") =>
    `SELECT (c.input_no * 4294967296 + c._group) * 2 + ${Number(side === "b")} AS gid, '${side}' AS side, c.*${runKeys
      .filter((k) => k.json)
      .map((k) => `, ${alias[k.json!]}.${k.column}`)
      .join("")}
      FROM chosen c ${jsonColumns.map((column) => `LEFT JOIN ${column}_keys ${alias[column]} ON ${alias[column]}.${column} IS NOT DISTINCT FROM c.${column}`).join(" ")}
      WHERE in_${side}`;
  const chosen = `chosen AS (
      SELECT input_no, _group, run_id, source_sha256, origin${jsonColumns.map((c) => `, ${c}`).join("")}, ${a.run} AS in_a, ${b.run} AS in_b${plain.map((k) => `, ${k.sql} AS ${k.column}`).join("")}
      FROM groups g WHERE (${a.run}) OR (${b.run})
    )${jsonColumns
      .map(
        (column) =>
          `, ${column}_keys AS (SELECT ${column}${runKeys
            .filter((k) => k.json === column)
            .map((k) => `, ${k.sql} AS ${k.column}`)
            .join("")} FROM (SELECT DISTINCT ${column} FROM chosen) g)`
      )
      .join("")}, side_chosen AS (${sideGroups("a")} UNION ALL ${sideGroups("b")})`;
  // Per side: whether each key takes no value, one (null counting as one, as a Set does) or more, and the value when it is
  // one. min, max and whether nulls occur tell that without counting distinct values.
  // Spreads are read for the label keys, and for the context keys when they may join the pairing key.
  const spread = new Set([...LABEL_KEYS, ...(options.by?.length ? [] : CONTEXT_KEYS)]);
  const spreadOf = (
    keyList: typeof runKeys,
    of: (column: string, stat: "min" | "max" | "null") => string = (c, stat) => (stat === "null" ? `${c} IS NULL` : c)
  ) =>
    keyList
      .filter((k) => spread.has(k.name))
      .map(
        (k) =>
          `, min(${of(k.column, "min")}) AS min_${k.column}, max(${of(k.column, "max")}) AS max_${k.column}, bool_or(${of(k.column, "null")}) AS null_${k.column}`
      )
      .join("");

  // A table of each side's groups with what the rows below need: the run-level keys the pairing and the spreads use.
  const tabled = runKeys.filter((k) => candidates.includes(k.name) || spread.has(k.name));
  // The database's table, not the connection's: the means may be read on the second connection.
  await connection.run(`CREATE OR REPLACE TABLE side_groups AS WITH ${chosen}
    SELECT gid, side, input_no, _group, run_id, origin = 'hand-entered' AS hand${provenance ? ", source_sha256" : ""}${tabled.map((k) => `, ${k.column}`).join("")} FROM side_chosen`);
  const selected = `FROM results r JOIN side_groups s USING (input_no, _group) WHERE ((s.side = 'a' AND ${a.result}) OR (s.side = 'b' AND ${b.result}))`;
  const ofMetrics = (metrics: "all" | string[]) =>
    `coalesce(r.scope, 'run') = 'run'${metrics === "all" ? "" : ` AND r.metric IN (${metrics.map(sqlString).join(", ")})`}`;
  // The rows compared (summaries of the chosen metrics) with what the grouping and the side values need; pos is a row's
  // place in the store (compareRows adds values in that order).
  const kept = (metrics: "all" | string[], keyList: typeof resultKeys) => `kept AS (
      SELECT s.*, s.input_no * 4294967296 + r._ord AS pos, r.line, r.status, r.status_detail, r.value, r.stddev, r.stddev_kind, r.repetitions, r.text, ${UTIL} AS util${keyList.map((k) => `, ${k.sql} AS ${k.column}`).join("")}
      ${selected} AND ${ofMetrics(metrics)}
    )`;
  // Whether any result has a share of its hardware's limit (most stores have none: no known device). A sorted sum of
  // them costs the means a second sort; Parquet statistics answer this without reading the columns.
  const [{utils}] = await rows(
    connection,
    "SELECT EXISTS (SELECT 1 FROM results WHERE bw_util IS NOT NULL) OR EXISTS (SELECT 1 FROM results WHERE compute_util IS NOT NULL) AS utils"
  );
  const early = beside && options.by?.length ? (requested ?? ["throughput"]) : null;
  const earlyMeans = early
    ? rows(beside!, meansSql(early, options.by!)).catch((error: unknown) => error as Error)
    : null;
  // Whether each side selects anything, and whether it has throughput summaries (the default metric).
  const counts = await rows(
    connection,
    `SELECT s.side, bool_or(r.metric = 'throughput' AND coalesce(r.scope, 'run') = 'run') AS throughput ${selected} GROUP BY s.side`
  );
  const count = (side: string) => counts.find((c) => c.side === side);
  if (!count("a") || !count("b")) {
    await earlyMeans;
    return {empty: count("a") ? "B" : "A"};
  }
  const metrics = requested ?? (count("a")!.throughput && count("b")!.throughput ? ["throughput"] : "all");

  // Per group that keeps rows: its first row (for the order of runs), its rows, its result-level keys' spreads. Then
  // per side, over those groups: its rows, its runs and the spreads of every key.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE kept_groups AS WITH ${kept(
      metrics,
      resultKeys.filter((k) => spread.has(k.name))
    )} SELECT gid, min(pos) AS first, count(*) AS n${spreadOf(resultKeys)} FROM kept GROUP BY gid`
  );
  const sideSpread = await rows(
    connection,
    `WITH k AS (SELECT * FROM kept_groups JOIN side_groups USING (gid)),
      runs AS (SELECT side, list(run_id ORDER BY first) AS runs FROM (SELECT side, run_id, min(first) AS first FROM k GROUP BY ALL) GROUP BY side)
    SELECT side, sum(n) AS n, any_value(runs.runs) AS runs${spreadOf(runKeys)}${spreadOf(resultKeys, (c, stat) => `${stat}_${c}`)}
    FROM k JOIN runs USING (side) GROUP BY side`
  );
  const side = (name: string) => sideSpread.find((d) => d.side === name);
  const stats = (name: string, key: string) => {
    const row = side(name);
    const k = keys.get(key)!;
    if (!row) return {n: 0, value: null};
    const [min, max, nulls] = [
      row[`min_${k.column}`] as string | null,
      row[`max_${k.column}`] as string | null,
      row[`null_${k.column}`] as boolean
    ];
    return {n: min === null ? 1 : Number(min !== max) + 1 + Number(nulls), value: min};
  };

  let by = options.by?.length ? [...options.by] : [...DEFAULT_BY];
  const varying: string[] = [];
  if (!options.by?.length) {
    for (const key of CONTEXT_KEYS)
      if (!by.includes(key) && (stats("a", key).n > 1 || stats("b", key).n > 1)) varying.push(key);
    by = [...by, ...varying];
  }

  // Each pair's side: its values in store order (mean and sd add them in that order), sorted once per group, and
  // its rows' shares of their hardware's limit (most stores have none: no known device). Only --json prints each
  // value's provenance, which then rides in the same sorted list; without it, a list of doubles sorts fastest.
  function meansSql(metrics: "all" | string[], by: string[]): string {
    const ok = "(status = 'ok' AND value IS NOT NULL)";
    const resultBy = resultKeys.filter((k) => by.includes(k.name));
    return `WITH ${kept(metrics, resultBy)}, g AS (
      SELECT side${by.map((k, i) => `, ${keys.get(k)!.column} AS key${i}`).join("")},
        min(pos) AS first, count(*) AS n_rows,
        ${provenance ? `list({'ok': ${ok}, 'value': value, 'run_id': run_id, 'sha256': source_sha256, 'line': coalesce(line, 0)} ORDER BY pos) AS items` : `list(value ORDER BY pos) FILTER (WHERE ${ok}) AS vals`},
        CASE WHEN count(*) = 1 THEN any_value(text) END AS text,
        bool_or(hand) AS hand,
        count(*) FILTER (WHERE ${ok}) AS n_ok,
        any_value({'stddev': stddev, 'stddev_kind': stddev_kind, 'repetitions': repetitions}) FILTER (WHERE ${ok}) AS one,
        coalesce(arg_min({'status': coalesce(status, 'error'), 'detail': status_detail}, pos) FILTER (WHERE status IS DISTINCT FROM 'ok'), arg_min({'status': coalesce(status, 'error'), 'detail': status_detail}, pos)) AS failed,
        ${utils ? "CASE WHEN count(util) = count(*) THEN sum(util ORDER BY pos) / count(*) END" : "CAST(NULL AS DOUBLE)"} AS limit_util
      FROM kept GROUP BY ALL
    ), v AS (
      ${
        provenance
          ? `SELECT * EXCLUDE (items), CASE WHEN n_ok > 0 THEN list_transform(list_filter(items, lambda i: i.ok), lambda i: i.value) END AS vals,
        list_transform(items, lambda i: i.run_id) AS run_ids, list_transform(items, lambda i: {'sha256': i.sha256, 'line': i.line}) AS sources`
          : "SELECT *, NULL AS run_ids, NULL AS sources"
      }
      FROM g
    ), m AS (
      SELECT *, list_sum(vals) / len(vals) AS mean FROM v
    )
    SELECT * EXCLUDE (vals), vals[1] AS single,
      CASE WHEN n_ok > 1 THEN sqrt(list_sum(list_transform(vals, lambda v: (v - mean) * (v - mean))) / (n_ok - 1)) END AS sd
    FROM m ORDER BY side, first`;
  }
  const earlyGroups = earlyMeans && (await earlyMeans);
  if (earlyGroups instanceof Error) throw earlyGroups;
  const groups =
    earlyGroups && JSON.stringify(early) === JSON.stringify(metrics)
      ? earlyGroups
      : await rows(connection, meansSql(metrics, by));

  const pairsById = new Map<
    string,
    {key: (string | null)[]; a: SideValue | null; b: SideValue | null; first: [number, number]}
  >();
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
  const ordered = [...pairsById.values()].sort(
    (x, y) => before(x.first[0], y.first[0]) || before(x.first[1], y.first[1])
  );
  const {compareMeans} = await statistics;
  const pairs: Pair[] = ordered.map((p) => ({
    key: Object.fromEntries(by.map((k, i) => [k, p.key[i]])),
    a: p.a,
    b: p.b,
    comparison: p.a && p.b && p.a.status === "ok" && p.b.status === "ok" ? compareMeans(p.a, p.b) : null
  }));

  // Each side: its rows, its runs in store order, and the label keys that tell it from the other.
  const da: Record<string, string | null> = {};
  const db: Record<string, string | null> = {};
  for (const key of LABEL_KEYS) {
    const [x, y] = [stats("a", key), stats("b", key)];
    if (x.n === 1 && y.n === 1 && x.value !== y.value && x.value !== null && y.value !== null) {
      da[key] = x.value;
      db[key] = y.value;
    }
  }
  const sideOf = (name: "a" | "b", selector: string, distinguishing: Record<string, string | null>): Side => ({
    selector,
    label: sideLabel(distinguishing, selector),
    distinguishing,
    rows: Number(side(name)?.n ?? 0),
    runs: ((side(name)?.runs as string[] | undefined) ?? []).map(String)
  });
  return {result: {a: sideOf("a", texts.a, da), b: sideOf("b", texts.b, db), by, varying, metrics, pairs}};
}

/** A result's share of its hardware's limit (efficiency.ts limitShare): bandwidth for tg, compute for pp. */
const UTIL = "CASE r.kind WHEN 'tg' THEN r.bw_util WHEN 'pp' THEN r.compute_util END";

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
    return {
      ...base,
      value: NaN,
      stddev: null,
      stddev_kind: null,
      repetitions: null,
      status: failed.status,
      status_detail: failed.detail ?? null
    };
  }
  if (nOk === 1) {
    const one = g.one as {stddev: number | null; stddev_kind: string | null; repetitions: number | null};
    return {
      ...base,
      value: g.single as number,
      stddev: one.stddev ?? null,
      stddev_kind: one.stddev_kind ?? null,
      repetitions: one.repetitions ?? null,
      status: "ok",
      status_detail: null
    };
  }
  return {
    ...base,
    value: g.mean as number,
    stddev: g.sd as number,
    stddev_kind: "sample",
    repetitions: nOk,
    status: "ok",
    status_detail: null
  };
}
