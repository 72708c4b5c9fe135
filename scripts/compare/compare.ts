/**
 * A against B, as llama.cpp's compare-llama-bench.py compares two builds, for any two selections. Pure.
 * Rows pair on DEFAULT_BY plus every CONTEXT_KEYS column that varies within a side (a sweep); a column
 * constant within each side is what the comparison is about, so it is not keyed on. Duplicate keys are
 * averaged as compare-llama-bench does. Uncertainty: compareMeans (statistics/uncertainty.ts).
 */
import {compareMeans, type Comparison, type Measured} from "../statistics/uncertainty.js";
import {limitShare, type ResultEfficiency} from "../efficiency/efficiency.js";
import type {Row} from "../schema/row.js";
import {keyValue} from "./select.js";

export const DEFAULT_BY = ["model_label", "test", "metric", "stat", "unit"];

/**
 * compare-llama-bench.py's LLAMA_BENCH_KEY_PROPERTIES by benchbook's names
 * (cpu_info → cpu, gpu_info → hardware, backends → backend, model_filename →
 * model_file, model_type → model; settings without a column as setting.NAME),
 * then runtime, tool and concurrency for other tools.
 */
export const CONTEXT_KEYS = [
  "cpu",
  "hardware",
  "backend",
  "n_gpu_layers",
  "n_cpu_moe",
  "tensor_buft_overrides",
  "model_file",
  "model",
  "n_batch",
  "n_ubatch",
  "setting.embeddings",
  "setting.cpu_mask",
  "setting.cpu_strict",
  "setting.poll",
  "n_threads",
  "type_k",
  "type_v",
  "setting.load_mode",
  "setting.no_kv_offload",
  "split_mode",
  "main_gpu",
  "tensor_split",
  "flash_attn",
  "n_prompt",
  "n_gen",
  "n_depth",
  "setting.fit_target",
  "setting.fit_min_ctx",
  "runtime",
  "tool",
  "concurrency"
];

/** Columns that can say what tells side A from side B (first ones first). */
export const LABEL_KEYS = [
  "build_commit",
  "runtime",
  "tool",
  "hardware",
  "split_mode",
  "model_label",
  "quant",
  "type_k",
  "n_ubatch",
  "tensor_split",
  "flash_attn",
  "backend",
  "run_id"
];

export interface CompareOptions {
  /** Key columns; default DEFAULT_BY plus the CONTEXT_KEYS that vary within a side. */
  by?: string[];
  /** Metrics to compare; default throughput when both sides have it, else all. */
  metrics?: string[];
}

export interface SideValue extends Measured {
  /** Rows behind the value (more than one: their unweighted mean). */
  n_rows: number;
  status: string;
  status_detail: string | null;
  run_ids: string[];
  /** Where each value was read: raw input and line. */
  sources: {sha256: string; line: number}[];
  /** The stored cell text when a single row stands behind the value. */
  text: string | null;
  origin: string;
  /**
   * Share of the hardware's limit (docs/efficiency.md): the rows' `bw_util`
   * for tg, `compute_util` for pp (their mean for several rows); null when
   * any row has none.
   */
  limit_util: number | null;
}

export interface Pair {
  key: Record<string, string | null>;
  a: SideValue | null;
  b: SideValue | null;
  /** null when either side is missing or failed. */
  comparison: Comparison | null;
}

export interface Side {
  selector: string;
  /** Short description: the LABEL_KEYS whose value is constant within this side and differs from the other side. */
  label: string;
  distinguishing: Record<string, string | null>;
  rows: number;
  runs: string[];
}

export interface CompareResult {
  a: Side;
  b: Side;
  by: string[];
  /** The key columns added because they vary within a side (empty with an explicit --by). */
  varying: string[];
  metrics: string[] | "all";
  pairs: Pair[];
}

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

/**
 * A column header for one side: the value of the first distinguishing column
 * (LABEL_KEYS order: a build commit, as compare-llama-bench names its
 * columns, else the runtime, the machine, the split mode, …); the run id only
 * when nothing else differs; else the selector as typed.
 */
export function sideLabel(distinguishing: Record<string, string | null>, selector: string): string {
  const entries = Object.entries(distinguishing).filter(([k]) => k !== "run_id");
  if (entries.length) return entries[0][1]!;
  return distinguishing.run_id ?? selector;
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

/**
 * A number with two decimals exactly as Python's `format(x, ".2f")` (which
 * compare-llama-bench's tabulate uses): correctly rounded, ties to even.
 * JavaScript's toFixed rounds exact ties away from zero (1.125 → "1.13",
 * Python "1.12"); exact ties at two decimals are the doubles k/8 with k odd.
 */
export function fixed2(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const eighths = x * 8;
  if (Number.isInteger(eighths) && !Number.isInteger(x * 4)) {
    const hundredths = x * 100; // exact for k/8: an odd multiple of 12.5
    const down = Math.floor(hundredths);
    const even = down % 2 === 0 ? down : down + 1;
    return (even / 100).toFixed(2);
  }
  return x.toFixed(2);
}
