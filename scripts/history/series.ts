/**
 * Series: the store's summary rows grouped so that one series holds one
 * measurement repeated over builds — one machine, one model, one test (with
 * its depth), one metric and one value of every setting — and its points,
 * one per build, in build order (build-order.ts).
 */
import type {Row} from "../schema/row.js";
import {keyValue} from "../compare/select.js";
import {betterDirection, type Better} from "./direction.js";
import {orderPoints, type BuildOrder, type OrderBasis} from "./build-order.js";
import type {PointStats} from "./statistics.js";

/** The columns that say what a series measured, besides its settings: the machine, the model, the test, the metric, the tool. */
export const SERIES_COLUMNS = [
  "hardware",
  "cpu",
  "backend",
  "gpu_count",
  "model_label",
  "model_repo",
  "size_bytes",
  "n_params",
  "quant",
  "tool",
  "runtime",
  "test",
  "n_prompt",
  "n_gen",
  "n_depth",
  "concurrency",
  "metric",
  "stat",
  "unit"
];

/** Settings a tool prints that say where or when a run was made, not how: never part of a series. */
const VOLATILE_SETTINGS = new Set(["host", "port", "test_time", "date", "timestamp"]);

export interface SeriesPoint extends PointStats {
  /** What tells this build from the others: its commit, else its build number, else the tool's version, else the run. */
  build: string;
  build_commit: string | null;
  build_number: number | null;
  tool_version: string | null;
  /** When it ran (the earliest of its rows: started_at, else the result's time, else when it was imported). */
  time: string | null;
  /** Rows pooled into this point (the same build measured more than once). */
  rows: number;
  run_ids: string[];
  /** Where each value was read: raw input and line. */
  sources: {sha256: string; line: number}[];
}

export interface Series {
  /** A stable id: the key as JSON. */
  id: string;
  /** Key columns and their values: SERIES_COLUMNS, then `setting.NAME` for every setting. */
  key: Record<string, string | null>;
  better: Better;
  /** What ordered the points. */
  order: OrderBasis;
  points: SeriesPoint[];
}

/** A row's settings: an object, or JSON text (Parquet), parsed once per distinct text. */
function settingsReader(): (row: Row) => Record<string, unknown> {
  const parsed = new Map<string, Record<string, unknown>>();
  return (row) => {
    const s = row.settings;
    if (typeof s !== "string") return (s as Record<string, unknown> | null | undefined) ?? {};
    let settings = parsed.get(s);
    if (!settings) parsed.set(s, (settings = s ? (JSON.parse(s) as Record<string, unknown>) : {}));
    return settings;
  };
}

const settingText = (v: unknown): string | null =>
  v === null || v === undefined || v === "" ? null : typeof v === "object" ? JSON.stringify(v) : String(v);

/** Rows a history is made of: measured summaries with a value. */
export const historyRow = (row: Row) =>
  (row.scope ?? "run") === "run" &&
  row.status === "ok" &&
  typeof row.value === "number" &&
  Number.isFinite(row.value) &&
  row.origin !== "hand-entered";

/** The sample sd a row states (a population sd turned into a sample sd when n is known). */
function rowSd(row: Row): number | null {
  const sd = row.stddev as number | null | undefined;
  if (sd === null || sd === undefined) return null;
  const n = row.repetitions as number | null;
  return row.stddev_kind === "population" && n !== null && n > 1 ? sd * Math.sqrt(n / (n - 1)) : sd;
}

/**
 * One build's rows as one point (`head` holds the build's fields). One row: its value, sd and repetitions as
 * stated. Several (the build run again): with sd and n on each, the pooled
 * mean and sd of all their repetitions; else their values as repetitions
 * (unweighted mean, sample sd, n = rows), as compare does.
 */
function pointOf(build: string, head: Row, rows: Row[]): SeriesPoint {
  const first = rows[0];
  const times = rows
    .map((r) => (r.started_at ?? r.time ?? r.imported_at) as string | null)
    .filter((t): t is string => !!t)
    .sort();
  const base = {
    build,
    build_commit: (head.build_commit as string | null) ?? null,
    build_number: (head.build_number as number | null) ?? null,
    tool_version: (head.tool_version as string | null) ?? null,
    time: times[0] ?? null,
    rows: rows.length,
    run_ids: [...new Set(rows.map((r) => String(r.run_id)))],
    sources: rows.map((r) => ({sha256: String(r.source_sha256), line: Number(r.line)}))
  };
  if (rows.length === 1)
    return {...base, mean: first.value as number, sd: rowSd(first), n: (first.repetitions as number | null) ?? null};
  const stated = rows.map((r) => ({m: r.value as number, s: rowSd(r), n: r.repetitions as number | null}));
  if (stated.every((x) => x.s !== null && x.n !== null && x.n > 0)) {
    const total = stated.reduce((a, x) => a + x.n!, 0);
    const mean = stated.reduce((a, x) => a + x.n! * x.m, 0) / total;
    const ss = stated.reduce((a, x) => a + (x.n! - 1) * x.s! ** 2 + x.n! * (x.m - mean) ** 2, 0);
    return {...base, mean, sd: total > 1 ? Math.sqrt(ss / (total - 1)) : null, n: total};
  }
  const values = stated.map((x) => x.m);
  const mean = values.reduce((a, x) => a + x, 0) / values.length;
  return {
    ...base,
    mean,
    sd: Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / (values.length - 1)),
    n: values.length
  };
}

const buildOf = (row: Row): string => {
  if (row.build_commit) return String(row.build_commit);
  if (row.build_number !== null && row.build_number !== undefined) return `build ${row.build_number}`;
  if (row.tool_version) return `version ${row.tool_version}`;
  return `run ${row.run_id}`;
};

/** Rows that share `head`'s key columns, settings and build (the export has DuckDB group them; rows need only their own value columns). */
export interface SharedRows {
  head: Row;
  rows: Row[];
}

/** Series of `rows` (any flat rows; those historyRow refuses are left out). */
export function buildSeries(rows: Row[], order: BuildOrder = {}): Series[] {
  return buildSeriesOfGroups(
    rows.filter(historyRow).map((row) => ({head: row, rows: [row]})),
    order
  );
}

/**
 * Series of groups of rows. A setting is part of the key when every row of
 * its machine/model/test group prints it, or when it takes more than one
 * value there; a setting only some builds print with one value (a field a
 * newer llama-bench added) does not split a series.
 */
export function buildSeriesOfGroups(shared: SharedRows[], order: BuildOrder = {}): Series[] {
  const groups = new Map<
    string,
    {base: (string | null)[]; rows: number; members: {shared: SharedRows; settings: Record<string, unknown>}[]}
  >();
  const settingsOf = settingsReader();
  for (const member of shared) {
    const base = SERIES_COLUMNS.map((c) => keyValue(member.head, c));
    const id = JSON.stringify(base);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = {base, rows: 0, members: []}));
    group.rows += member.rows.length;
    group.members.push({shared: member, settings: settingsOf(member.head)});
  }

  const series: Series[] = [];
  for (const group of groups.values()) {
    const seen = new Map<string, {present: number; values: Set<string | null>}>();
    for (const {shared: member, settings} of group.members) {
      for (const [name, value] of Object.entries(settings)) {
        if (VOLATILE_SETTINGS.has(name)) continue;
        let entry = seen.get(name);
        if (!entry) seen.set(name, (entry = {present: 0, values: new Set()}));
        entry.present += member.rows.length;
        entry.values.add(settingText(value));
      }
    }
    const keyed = [...seen]
      .filter(([, e]) => e.present === group.rows || e.values.size > 1)
      .map(([name]) => name)
      .sort();
    const bySettings = new Map<
      string,
      {key: Record<string, string | null>; builds: Map<string, {head: Row; rows: Row[]}>}
    >();
    for (const {shared: member, settings} of group.members) {
      const values = keyed.map((name) => settingText(settings[name]));
      const id = JSON.stringify([group.base, values]);
      let s = bySettings.get(id);
      if (!s) {
        const key: Record<string, string | null> = Object.fromEntries(SERIES_COLUMNS.map((c, j) => [c, group.base[j]]));
        keyed.forEach((name, j) => (key[`setting.${name}`] = values[j]));
        bySettings.set(id, (s = {key, builds: new Map()}));
      }
      const build = buildOf(member.head);
      const entry = s.builds.get(build);
      if (entry) for (const row of member.rows) entry.rows.push(row);
      else s.builds.set(build, {head: member.head, rows: [...member.rows]});
    }
    for (const [id, s] of bySettings) {
      const points = [...s.builds].map(([build, b]) => pointOf(build, b.head, b.rows));
      const ordered = orderPoints(points, order);
      series.push({
        id,
        key: s.key,
        better: betterDirection(String(s.key.metric), s.key.unit),
        order: ordered.basis,
        points: ordered.points
      });
    }
  }
  return series.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
