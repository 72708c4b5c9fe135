/**
 * Parameter sweep: any setting (x) against any metric (y) — llama-bench
 * `-ub`/`-t`/`-ngl`/`-ts` sweeps, a server retuned run by run, hand-entered
 * sweep tables. One line per series (machine, model, test shape, metric, GPU,
 * and any other setting swept independently of x); failed configurations
 * (status ≠ ok: oom, error, timeout, skipped) are drawn as a distinct mark on
 * the x axis with their status detail in the tooltip; the best cell of each
 * series is ringed.
 *
 * A failure is placed on a sweep when it measured the same metric (a failed
 * llama-bench test) or when its x value never produced a value (a tensor
 * split that could not start): a failure at an x value that also succeeded
 * was about something else and is left to the table.
 *
 * @example
 *   const candidates = sweepSettings(rows);            // [{key: "n_ubatch", …}, …]
 *   const points = sweepPoints(rows, {x: "n_ubatch", metric: "throughput"});
 *   display(chartFigure(sweepPlot(points, {width}), {filename: "sweep-n_ubatch"}));
 *   display(sweepTable(points));
 *   display(tableDownloads(sweepTableRows(points), {columns: SWEEP_COLUMNS, filename: "sweep-n_ubatch"}));
 */
import * as Plot from "@observablehq/plot";
import * as Inputs from "@observablehq/inputs";
import type {ResultRow} from "./data.js";
import {formatPm, sourceLink} from "./format.js";

/** Plain string order (localeCompare is too slow for sorting a million rows). */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Append to a Map of lists (without copying the list: groups can hold a million rows). */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export type Better = "higher" | "lower" | "none";

/** Which direction is better for a metric: throughput up, time down, anything else unknown. */
export function betterDirection(metric: string, unit: string | null | undefined): Better {
  if (/\/s$/.test(unit ?? "") || /throughput|acceptance/.test(metric)) return "higher";
  if (["ms", "s", "ns", "us", "µs"].includes(unit ?? "") || /^(ttft|tpot|itl|e2el|ttfr|est_ppt|e2e_ttft|latency|duration)$/.test(metric)) return "lower";
  return "none";
}

const CENTRAL = ["mean", "value", "median"];

/** The value of setting `key` for a row, as text (null when the row does not have it). */
export function settingText(row: ResultRow, key: string): string | null {
  const v = (row.settings as Record<string, unknown> | null | undefined)?.[key] ?? row[key];
  return v === null || v === undefined || v === "" ? null : typeof v === "object" ? JSON.stringify(v) : String(v);
}

function gpuOf(row: ResultRow): number | null {
  const g = (row.result_extra as Record<string, unknown> | null | undefined)?.gpu ?? (row.result_extra as Record<string, unknown> | null | undefined)?.gpu_index;
  return typeof g === "number" ? g : null;
}

/** Test shape, as a label: `pp3100`, `tg128 @ d16384`, or the metric alone for values without one. */
function shape(row: ResultRow): string {
  const parts: string[] = [];
  if (row.kind === "pp" && row.n_prompt) parts.push(`pp${row.n_prompt}`);
  else if (row.kind === "tg" && row.n_gen) parts.push(`tg${row.n_gen}`);
  else if (row.kind === "pp+tg" && row.n_prompt && row.n_gen) parts.push(`pp${row.n_prompt}+tg${row.n_gen}`);
  else if (row.kind && row.kind !== "other" && row.kind !== "hardware") parts.push(row.kind + (row.n_prompt ? ` (prompt ${row.n_prompt})` : ""));
  else if (row.n_prompt) parts.push(`prompt ${row.n_prompt}`);
  if (row.n_depth) parts.push(`@ d${row.n_depth}`);
  if (row.concurrency && row.concurrency !== 1) parts.push(`(c${row.concurrency})`);
  return parts.join(" ");
}

/** What a sweep line has in common apart from the swept settings. */
function baseKey(row: ResultRow): string {
  return [row.hardware ?? "", row.model_label ?? row.model ?? "", row.runtime ?? "", row.origin ?? "measured", shape(row), row.metric, row.stat, row.unit, gpuOf(row) ?? ""].join("\u0000");
}

function baseLabel(row: ResultRow, multi: {hardware: boolean; model: boolean; stat: boolean}): string {
  const parts: string[] = [];
  if (multi.hardware) parts.push(row.hardware || "hardware not stated");
  if (multi.model) parts.push(String(row.model_label ?? row.model ?? "?"));
  const s = shape(row);
  parts.push(s ? `${s} ${row.metric}` : row.metric);
  if (multi.stat || !CENTRAL.includes(row.stat)) parts.push(row.stat);
  const gpu = gpuOf(row);
  if (gpu !== null) parts.push(`GPU ${gpu}`);
  return parts.join(" · ");
}

const NUMBER_LIST = /^-?\d+(?:\.\d+)?(?:\s*[,/;]\s*-?\d+(?:\.\d+)?)*$/;
const numbers = (v: string) => v.split(/\s*[,/;]\s*/).map(Number);

/**
 * x values in sweep order: numerically when every value is a number or a
 * list of numbers (`-ts 0.40,0.60` before `0.5,0.5`: element by element),
 * else as text.
 */
export function orderValues(values: string[]): string[] {
  const unique = [...new Set(values)];
  if (!unique.every((v) => NUMBER_LIST.test(v))) return unique.sort((a, b) => a.localeCompare(b, undefined, {numeric: true}));
  return unique.sort((a, b) => {
    const [x, y] = [numbers(a), numbers(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? -Infinity) !== (y[i] ?? -Infinity)) return (x[i] ?? -Infinity) - (y[i] ?? -Infinity);
    return a.localeCompare(b);
  });
}

export interface SweepCandidate {
  key: string;
  /** Distinct values seen within one series, at most. */
  values: number;
  /** Series in which it takes at least two values. */
  series: number;
  failures: number;
}

const PREFERRED = ["n_ubatch", "n_batch", "tensor_split", "n_threads", "n_gpu_layers", "flash_attn", "type_k", "type_v", "split_mode", "n_cpu_moe", "ctx_size"];

/** Settings that take at least two values within one series (sweepable), most useful first. */
export function sweepSettings(rows: ResultRow[]): SweepCandidate[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    if (r.status === "ok" && r.value === null) continue;
    const key = r.status === "ok" ? baseKey(r) : `${r.hardware ?? ""}\u0000${r.model_label ?? r.model ?? ""}\u0000failed`;
    push(groups, key, r);
  }
  const found = new Map<string, SweepCandidate>();
  for (const [gk, group] of groups) {
    const keys = new Set(group.flatMap((r) => Object.keys((r.settings as object) ?? {})));
    for (const key of keys) {
      const values = new Set(group.map((r) => settingText(r, key)).filter((v) => v !== null));
      if (values.size < 2) continue;
      const c = found.get(key) ?? {key, values: 0, series: 0, failures: 0};
      c.values = Math.max(c.values, values.size);
      if (gk.endsWith("\u0000failed")) c.failures += group.length;
      else c.series++;
      found.set(key, c);
    }
  }
  const rank = (k: string) => (PREFERRED.includes(k) ? PREFERRED.indexOf(k) : PREFERRED.length);
  return [...found.values()].filter((c) => c.series > 0 && sweepMetrics(rows, c.key, {first: true}).length > 0).sort((a, b) => rank(a.key) - rank(b.key) || b.series - a.series || a.key.localeCompare(b.key));
}

/** Metrics that have at least two values of setting `x` within one sweep line, throughput first. */
export function sweepMetrics(rows: ResultRow[], x: string, {first = false}: {first?: boolean} = {}): string[] {
  const groups = new Map<string, ResultRow[]>();
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.status !== "ok" || r.value === null || !CENTRAL.includes(r.stat) || settingText(r, x) === null) continue;
    push(groups, baseKey(r), r);
    counts.set(r.metric, (counts.get(r.metric) ?? 0) + 1);
  }
  const found = new Set<string>();
  for (const group of groups.values()) {
    if (found.has(group[0].metric) || !groupSweeps(group, x)) continue;
    found.add(group[0].metric);
    if (first) break;
  }
  return [...found].sort((a, b) => (a === "throughput" ? -1 : b === "throughput" ? 1 : (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || cmp(a, b)));
}

export interface SweepPoint {
  series: string;
  x: string;
  value: number | null;
  stddev: number | null;
  stddev_kind: string | null;
  metric: string;
  unit: string;
  stat: string;
  status: string;
  status_detail: string | null;
  failed: boolean;
  /** Best ok value of its series (direction: `better`). */
  best: boolean;
  /** Other settings that change together with x in this series (`n_batch 768`). */
  also: string;
  test: string;
  approximate: boolean;
  run_id: string;
  source_sha256: string;
  line: number;
  text: string | null;
}

export interface SweepOptions {
  x: string;
  metric: string;
  /** Statistics that count as the value of a cell. */
  stats?: string[];
  /** Which direction is best; default from the metric and unit. */
  better?: Better | "auto";
}

/**
 * Within one group of a sweep (same machine, model, test shape, metric, GPU):
 * the other settings that vary, split into those that take several values at
 * one x (they split the line: an independent sweep) and those that are a
 * function of x (they changed together with x: noted on the point).
 */
function lineSettings(group: ResultRow[], x: string): {splitting: string[]; annotating: string[]} {
  const keys = new Set<string>();
  for (const r of group) for (const k of Object.keys((r.settings as object) ?? {})) keys.add(k);
  const splitting: string[] = [];
  const annotating: string[] = [];
  for (const k of [...keys].sort()) {
    if (k === x) continue;
    const byX = new Map<string, Set<string | null>>();
    const all = new Set<string | null>();
    for (const r of group) {
      const v = settingText(r, k);
      all.add(v);
      const xv = settingText(r, x)!;
      const set = byX.get(xv);
      if (set) set.add(v);
      else byX.set(xv, new Set([v]));
    }
    if (all.size < 2) continue;
    ([...byX.values()].some((v) => v.size > 1) ? splitting : annotating).push(k);
  }
  return {splitting, annotating};
}

/** Does some line of this group have two x values? (What sweepPoints would draw, without drawing it.) */
function groupSweeps(group: ResultRow[], x: string): boolean {
  if (new Set(group.map((r) => settingText(r, x))).size < 2) return false;
  const {splitting} = lineSettings(group, x);
  const xs = new Map<string, Set<string>>();
  for (const r of group) {
    const key = splitting.map((k) => settingText(r, k)).join("\u0000");
    const set = xs.get(key) ?? new Set<string>();
    set.add(settingText(r, x)!);
    if (set.size > 1) return true;
    xs.set(key, set);
  }
  return false;
}

/** Points of one sweep: ok values of `metric` by the value of setting `x`, plus the failures that belong on it. */
export function sweepPoints(rows: ResultRow[], {x, metric, stats = CENTRAL, better = "auto"}: SweepOptions): SweepPoint[] & {better: Better} {
  const ok = rows.filter((r) => r.status === "ok" && r.value !== null && r.metric === metric && stats.includes(r.stat) && settingText(r, x) !== null);
  const groups = new Map<string, ResultRow[]>();
  for (const r of ok) push(groups, baseKey(r), r);
  const multi = {
    hardware: new Set(ok.map((r) => r.hardware)).size > 1,
    model: new Set(ok.map((r) => r.model_label ?? r.model)).size > 1,
    stat: new Set(ok.map((r) => r.stat)).size > 1
  };
  const points: SweepPoint[] = [];
  const direction: Better = better === "auto" ? betterDirection(metric, ok[0]?.unit) : better;
  const swept = new Set<unknown>();
  for (const group of groups.values()) {
    if (new Set(group.map((r) => settingText(r, x))).size < 2) continue;
    const {splitting, annotating} = lineSettings(group, x);
    const modal = new Map(annotating.map((k) => [k, mode(group.map((r) => settingText(r, k)))]));
    const base = baseLabel(group[0], multi);
    const seriesPoints: SweepPoint[] = group.map((r) => {
      const xv = settingText(r, x)!;
      return {
        series: [base, ...splitting.map((k) => `${k} ${settingText(r, k) ?? "—"}`)].join(" · "),
        x: xv,
        value: r.value,
        stddev: r.stddev ?? null,
        stddev_kind: r.stddev_kind ?? null,
        metric: r.metric,
        unit: r.unit,
        stat: r.stat,
        status: r.status,
        status_detail: null,
        failed: false,
        best: false,
        // Annotating settings take one value per x (that is what makes them annotating): name it where it is not the usual one.
        also: annotating.filter((k) => settingText(r, k) !== modal.get(k)).map((k) => `${k} ${settingText(r, k)}`).join(", "),
        test: r.test,
        approximate: Boolean((r.result_extra as Record<string, unknown> | null | undefined)?.approximate),
        run_id: r.run_id,
        source_sha256: r.source_sha256,
        line: r.line,
        text: r.text ?? null
      };
    });
    // A line needs two x values: series split off by another setting may have one.
    const xsOf = new Map<string, Set<string>>();
    for (const p of seriesPoints) xsOf.set(p.series, (xsOf.get(p.series) ?? new Set()).add(p.x));
    seriesPoints.splice(0, seriesPoints.length, ...seriesPoints.filter((p) => xsOf.get(p.series)!.size > 1));
    if (seriesPoints.length) swept.add(`${group[0].hardware}\u0000${group[0].model_label ?? group[0].model}`);
    if (direction !== "none") {
      const bySeries = new Map<string, SweepPoint[]>();
      for (const p of seriesPoints) push(bySeries, p.series, p);
      for (const list of bySeries.values()) {
        const target = direction === "higher" ? Math.max(...list.map((p) => p.value!)) : Math.min(...list.map((p) => p.value!));
        for (const p of list) p.best = p.value === target;
      }
    }
    points.push(...seriesPoints);
  }
  // Failures: the same metric, or an x value that never produced a value.
  const okX = new Set(points.map((p) => p.x));
  for (const r of rows) {
    if (r.status === "ok") continue;
    const xv = settingText(r, x);
    if (xv === null || !swept.has(`${r.hardware}\u0000${r.model_label ?? r.model}`)) continue;
    if (r.metric !== metric && okX.has(xv)) continue;
    points.push({
      series: "failed",
      x: xv,
      value: null,
      stddev: null,
      stddev_kind: null,
      metric: r.metric,
      unit: r.unit,
      stat: r.stat,
      status: r.status,
      status_detail: r.status_detail ?? null,
      failed: true,
      best: false,
      also: "",
      test: r.test,
      approximate: false,
      run_id: r.run_id,
      source_sha256: r.source_sha256,
      line: r.line,
      text: r.text ?? null
    });
  }
  const order = new Map(orderValues(points.map((p) => p.x)).map((x, i) => [x, i]));
  points.sort((a, b) => Number(a.failed) - Number(b.failed) || cmp(a.series, b.series) || order.get(a.x)! - order.get(b.x)! || a.line - b.line);
  return Object.assign(points, {better: direction});
}

function mode(values: (string | null)[]): string | null {
  const counts = new Map<string | null, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function pointTitle(p: SweepPoint): string {
  if (p.failed) return `${p.status.toUpperCase()} at ${p.x}\n${p.test}${p.status_detail ? `\n${p.status_detail}` : ""}`;
  return [`${p.series}`, `${p.x}: ${p.approximate ? "~" : ""}${formatPm(p.value, p.stddev)} ${p.unit}${p.stat !== "mean" && p.stat !== "value" ? ` (${p.stat})` : ""}`, p.also ? `also: ${p.also}` : "", p.best ? "best of its series" : "", `as printed: ${p.text ?? "—"}`]
    .filter(Boolean)
    .join("\n");
}

/**
 * x (the setting, in sweep order) against y (the metric). Lines join one
 * value per x (the median where a cell was reported twice); failures are red
 * crosses on the x axis labelled with their status; best cells are ringed.
 */
export function sweepPlot(points: SweepPoint[], {width = 640, height = 360, xLabel}: {width?: number; height?: number; xLabel?: string} = {}): SVGSVGElement | HTMLElement {
  const ok = points.filter((p) => !p.failed);
  const failed = points.filter((p) => p.failed);
  const domain = orderValues(points.map((p) => p.x));
  const cells = new Map<string, SweepPoint[]>();
  for (const p of ok) push(cells, `${p.series}\u0000${p.x}`, p);
  const line = [...cells.values()].map((cell) => {
    const values = cell.map((p) => p.value!).sort((a, b) => a - b);
    const mid = values.length % 2 ? values[(values.length - 1) / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    return {series: cell[0].series, x: cell[0].x, value: mid};
  });
  const withSd = ok.filter((p) => p.stddev !== null && p.stddev > 0);
  // Room for the longest y tick label (Plot does not size margins to labels).
  const longest = Math.max(0, ...ok.map((p) => Math.round(Math.abs(p.value! + (p.stddev ?? 0))).toLocaleString("en-US").length));
  return Plot.plot({
    width,
    height,
    marginBottom: 40,
    marginLeft: Math.max(40, 8 + 7 * longest),
    x: {type: "point", domain, label: xLabel ?? null, padding: 0.4},
    y: {label: ok.length ? `${ok[0].metric} (${ok[0].unit})` : null, grid: true, zero: false},
    color: {legend: true, type: "categorical", domain: [...new Set(ok.map((p) => p.series))]},
    marks: [
      Plot.line(line, {x: "x", y: "value", stroke: "series", sort: (d: {x: string}) => domain.indexOf(d.x)}),
      Plot.ruleX(withSd, {x: "x", y1: (p: SweepPoint) => p.value! - p.stddev!, y2: (p: SweepPoint) => p.value! + p.stddev!, stroke: "series"}),
      Plot.dot(
        ok.filter((p) => p.best),
        {x: "x", y: "value", r: 8, stroke: "currentColor", strokeWidth: 1.5, fill: "none", ariaDescription: "best"}
      ),
      Plot.dot(ok, {x: "x", y: "value", fill: "series", r: 3.5, title: pointTitle, ariaDescription: "sweep"}),
      Plot.dot(failed, {x: "x", frameAnchor: "bottom", symbol: "times", r: 6, stroke: "var(--theme-red, #d62728)", strokeWidth: 2.5, title: pointTitle, ariaDescription: "failed"}),
      Plot.text(failed, {x: "x", frameAnchor: "bottom", text: "status", dy: -12, fontSize: 10, fill: "var(--theme-red, #d62728)", title: pointTitle, ariaDescription: "failed-label"})
    ]
  });
}

/**
 * A select whose choice lives in the URL (`?sweep=n_ubatch`), so a view can
 * be linked; a value in the URL that is not among the options is ignored.
 * Options: values, or a Map of label → value.
 */
export function urlSelect(options: string[] | Map<string, string>, {param, label, value, width}: {param: string; label: string; value?: string | null; width?: number}): HTMLElement & {value: string} {
  const values = options instanceof Map ? [...options.values()] : options;
  const fromUrl = new URLSearchParams(location.search).get(param);
  const initial = fromUrl !== null && values.includes(fromUrl) ? fromUrl : value !== undefined && value !== null && values.includes(value) ? value : values[0];
  const input = Inputs.select(options, {label, value: initial, width}) as HTMLElement & {value: string};
  input.dataset.param = param;
  input.addEventListener("input", () => {
    const params = new URLSearchParams(location.search);
    params.set(param, input.value);
    history.replaceState(history.state, "", `${location.pathname}?${params}${location.hash}`);
  });
  return input;
}

export const SWEEP_COLUMNS = ["series", "x", "value", "stddev", "unit", "stat", "status", "status_detail", "best", "also", "test", "text", "source"];

export function sweepTableRows(points: SweepPoint[]): Record<string, string | number | boolean | null>[] {
  return points.map((p) => ({
    series: p.series,
    x: p.x,
    value: p.value,
    stddev: p.stddev,
    unit: p.unit,
    stat: p.stat,
    status: p.status,
    status_detail: p.status_detail,
    best: p.best,
    also: p.also,
    test: p.test,
    text: p.text,
    source: `${p.source_sha256}:${p.line}`
  }));
}

export function sweepTable(points: SweepPoint[], {xLabel = "setting"}: {xLabel?: string} = {}): HTMLElement {
  const rows = points.map((p) => ({...p, source: p.line}));
  type Row = (typeof rows)[number];
  return Inputs.table(rows, {
    columns: ["series", "x", "value", "status", "best", "also", "test", "source"],
    header: {series: "series", x: xLabel, value: "value", status: "status", best: "best", also: "also changed", test: "test / label", source: "raw line"},
    format: {
      value: (_: number, i: number, data: Row[]) => (data[i].failed ? "—" : `${data[i].approximate ? "~" : ""}${formatPm(data[i].value, data[i].stddev)} ${data[i].unit}`),
      status: (s: string, i: number, data: Row[]) => (s === "ok" ? "ok" : `${s}${data[i].status_detail ? `: ${data[i].status_detail}` : ""}`),
      best: (b: boolean) => (b ? "★" : ""),
      source: (_: number, i: number, data: Row[]) => sourceLink(data[i].source_sha256, data[i].line, `line ${data[i].line}`)
    },
    rows: 16,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}
