/**
 * A against B, as llama.cpp's compare-llama-bench.py compares two builds, for any two selections. Pure.
 * Rows pair on DEFAULT_BY plus every CONTEXT_KEYS column that varies within a side (a sweep); a column
 * constant within each side is what the comparison is about, so it is not keyed on. Duplicate keys are
 * averaged as compare-llama-bench does. Uncertainty: compareMeans (statistics/uncertainty.ts).
 */
import {compareMeans} from "../statistics/uncertainty.js";
import {limitShare, type ResultEfficiency} from "../efficiency/efficiency.js";
import type {Row} from "../schema/row.js";
import {keyValue} from "./select.js";
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
} from "./result.js";

export * from "./result.js";

const summaryRow = (row: Row) => (row.scope ?? "run") === "run";

function distinct(rows: Row[], key: string): Set<string | null> {
  return new Set(rows.map((r) => keyValue(r, key)));
}

function chooseMetrics(a: Row[], b: Row[], metrics: string[] | undefined): string[] | "all" {
  if (metrics && metrics.length && !metrics.includes("all")) return metrics;
  if (metrics?.includes("all")) return "all";
  const has = (rows: Row[]) => rows.some((r) => r.metric === "throughput");
  return has(a) && has(b) ? ["throughput"] : "all";
}

/** The rows' mean share of their limit: bandwidth for tg, compute for pp; null when a row has none. */
function limitUtil(rows: Row[]): number | null {
  const utils = rows.map((r) => limitShare(String(r.kind), r as unknown as ResultEfficiency));
  if (!utils.length || utils.some((u) => typeof u !== "number")) return null;
  return (utils as number[]).reduce((a, u) => a + u, 0) / utils.length;
}

function sideValue(rows: Row[]): SideValue {
  const ok = rows.filter((r) => r.status === "ok" && typeof r.value === "number");
  const base = {
    n_rows: rows.length,
    run_ids: [...new Set(rows.map((r) => String(r.run_id)))],
    sources: rows.map((r) => ({sha256: String(r.source_sha256), line: Number(r.line)})),
    text: rows.length === 1 ? ((rows[0].text as string | null) ?? null) : null,
    origin: rows.some((r) => r.origin === "hand-entered") ? "hand-entered" : "measured",
    limit_util: limitUtil(rows)
  };
  if (ok.length === 0) {
    const failed = rows.find((r) => r.status !== "ok") ?? rows[0];
    return {
      ...base,
      value: NaN,
      stddev: null,
      stddev_kind: null,
      repetitions: null,
      status: String(failed.status ?? "error"),
      status_detail: (failed.status_detail as string | null) ?? null
    };
  }
  if (ok.length === 1) {
    const r = ok[0];
    return {
      ...base,
      value: r.value as number,
      stddev: (r.stddev as number | null) ?? null,
      stddev_kind: (r.stddev_kind as string | null) ?? null,
      repetitions: (r.repetitions as number | null) ?? null,
      status: "ok",
      status_detail: null
    };
  }
  // Several rows for one key: unweighted mean (compare-llama-bench's AVG), spread across rows.
  const values = ok.map((r) => r.value as number);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  return {
    ...base,
    value: mean,
    stddev: sd,
    stddev_kind: "sample",
    repetitions: values.length,
    status: "ok",
    status_detail: null
  };
}

function describeSides(a: Row[], b: Row[]): [Record<string, string | null>, Record<string, string | null>] {
  const da: Record<string, string | null> = {};
  const db: Record<string, string | null> = {};
  for (const key of LABEL_KEYS) {
    const va = distinct(a, key);
    const vb = distinct(b, key);
    if (va.size !== 1 || vb.size !== 1) continue;
    const [x] = va;
    const [y] = vb;
    // A value against nothing (a build commit one tool prints and another does not) tells little.
    if (x !== y && x !== null && y !== null) {
      da[key] = x;
      db[key] = y;
    }
  }
  return [da, db];
}

export function compareRows(
  rowsA: Row[],
  rowsB: Row[],
  selectors: {a: string; b: string},
  options: CompareOptions = {}
): CompareResult {
  const metrics = chooseMetrics(rowsA.filter(summaryRow), rowsB.filter(summaryRow), options.metrics);
  const keep = (r: Row) => summaryRow(r) && (metrics === "all" || metrics.includes(String(r.metric)));
  const a = rowsA.filter(keep);
  const b = rowsB.filter(keep);

  let by = options.by?.length ? [...options.by] : [...DEFAULT_BY];
  const varying: string[] = [];
  if (!options.by?.length) {
    for (const key of CONTEXT_KEYS) {
      if (by.includes(key)) continue;
      if (distinct(a, key).size > 1 || distinct(b, key).size > 1) varying.push(key);
    }
    by = [...by, ...varying];
  }

  const keyOf = (row: Row) => by.map((k) => keyValue(row, k));
  const groups = new Map<string, {key: (string | null)[]; a: Row[]; b: Row[]}>();
  for (const [side, rows] of [
    ["a", a],
    ["b", b]
  ] as const) {
    for (const row of rows) {
      const key = keyOf(row);
      const id = JSON.stringify(key);
      let group = groups.get(id);
      if (!group) groups.set(id, (group = {key, a: [], b: []}));
      group[side].push(row);
    }
  }

  const pairs: Pair[] = [];
  for (const group of groups.values()) {
    const va = group.a.length ? sideValue(group.a) : null;
    const vb = group.b.length ? sideValue(group.b) : null;
    const comparison = va && vb && va.status === "ok" && vb.status === "ok" ? compareMeans(va, vb) : null;
    pairs.push({key: Object.fromEntries(by.map((k, i) => [k, group.key[i]])), a: va, b: vb, comparison});
  }

  const [da, db] = describeSides(a, b);
  const side = (rows: Row[], selector: string, distinguishing: Record<string, string | null>): Side => ({
    selector,
    label: sideLabel(distinguishing, selector),
    distinguishing,
    rows: rows.length,
    runs: [...new Set(rows.map((r) => String(r.run_id)))]
  });
  return {a: side(a, selectors.a, da), b: side(b, selectors.b, db), by, varying, metrics, pairs};
}
