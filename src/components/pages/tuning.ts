/**
 * Parameter sweeps: any setting against any metric, one line per series, failures as marks on the x axis, the
 * best cell ringed. A failure at an x that also succeeded was about something else: left to the table.
 */
import * as Plot from "@observablehq/plot";
import * as aq from "../shared/arquero.js";
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import jstat from "jstat";
import {urlSelect} from "../shared/controls.js";
import type {ResultRow} from "../shared/data.js";
import {ERROR_BAR, linkLegend, seriesColors, yMargin, type SeriesFacts} from "../shared/chart.js";
import {formatPm, leftOutCounts, rawLineCell, sourceHref, sourceLink} from "../shared/format.js";
import {cmp, gpuOf, measuredOf} from "../shared/rows.js";
import {
  compareMeans,
  formatChange,
  formatRatio,
  sampleSd,
  type Comparison,
  type Measured
} from "../shared/statistics/uncertainty.js";

export type Better = "higher" | "lower" | "none";

/** Which direction is better for a metric: throughput up, time down, anything else unknown. */
export function betterDirection(metric: string, unit: string | null | undefined): Better {
  if (/\/s$/.test(unit ?? "") || /throughput|acceptance/.test(metric)) return "higher";
  if (
    ["ms", "s", "ns", "us", "µs"].includes(unit ?? "") ||
    /^(ttft|tpot|itl|e2el|ttfr|est_ppt|e2e_ttft|latency|duration)$/.test(metric)
  )
    return "lower";
  return "none";
}

const CENTRAL = ["mean", "value", "median"];

/** The value of setting `key` for a row, as text (null when the row does not have it). */
export function settingText(row: ResultRow, key: string): string | null {
  const v = (row.settings as Record<string, unknown> | null | undefined)?.[key] ?? row[key];
  return v === null || v === undefined || v === "" ? null : typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Test shape, as a label: `pp3100`, `tg128 @ d16384`, or the metric alone for values without one. */
function shape(row: ResultRow): string {
  const parts: string[] = [];
  if (row.kind === "pp" && row.n_prompt) parts.push(`pp${row.n_prompt}`);
  else if (row.kind === "tg" && row.n_gen) parts.push(`tg${row.n_gen}`);
  else if (row.kind === "pp+tg" && row.n_prompt && row.n_gen) parts.push(`pp${row.n_prompt}+tg${row.n_gen}`);
  else if (row.kind && row.kind !== "other" && row.kind !== "hardware")
    parts.push(row.kind + (row.n_prompt ? ` (prompt ${row.n_prompt})` : ""));
  else if (row.n_prompt) parts.push(`prompt ${row.n_prompt}`);
  if (row.n_depth) parts.push(`@ d${row.n_depth}`);
  if (row.concurrency && row.concurrency !== 1) parts.push(`(c${row.concurrency})`);
  return parts.join(" ");
}

/** What a sweep line has in common apart from the swept settings. */
function baseKey(row: ResultRow): string {
  return [
    row.hardware ?? "",
    row.model_label ?? row.model ?? "",
    row.runtime ?? "",
    row.origin ?? "measured",
    shape(row),
    row.metric,
    row.stat,
    row.unit,
    gpuOf(row) ?? ""
  ].join("\u0000");
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
  if (!unique.every((v) => NUMBER_LIST.test(v)))
    return unique.sort((a, b) => a.localeCompare(b, undefined, {numeric: true}));
  return unique.sort((a, b) => {
    const [x, y] = [numbers(a), numbers(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++)
      if ((x[i] ?? -Infinity) !== (y[i] ?? -Infinity)) return (x[i] ?? -Infinity) - (y[i] ?? -Infinity);
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

const PREFERRED = [
  "n_ubatch",
  "n_batch",
  "tensor_split",
  "n_threads",
  "n_gpu_layers",
  "flash_attn",
  "type_k",
  "type_v",
  "split_mode",
  "n_cpu_moe",
  "ctx_size"
];

/** Settings that take at least two values within one series (sweepable), most useful first. */
export function sweepSettings(rows: ResultRow[]): SweepCandidate[] {
  // Failures are grouped by machine and model alone: a failed setting counts, not its series.
  const failed = (r: ResultRow) => r.status !== "ok";
  const groups = aq.groupRows(
    rows.filter((r) => failed(r) || r.value !== null),
    (r) => (failed(r) ? `${r.hardware ?? ""}\u0000${r.model_label ?? r.model ?? ""}\u0000failed` : baseKey(r))
  );
  const found = new Map<string, SweepCandidate>();
  for (const group of groups) {
    const keys = new Set(group.flatMap((r) => Object.keys((r.settings as object) ?? {})));
    for (const key of keys) {
      const values = new Set(group.map((r) => settingText(r, key)).filter((v) => v !== null));
      if (values.size < 2) continue;
      const c = found.get(key) ?? {key, values: 0, series: 0, failures: 0};
      c.values = Math.max(c.values, values.size);
      if (failed(group[0])) c.failures += group.length;
      else c.series++;
      found.set(key, c);
    }
  }
  const rank = (k: string) => (PREFERRED.includes(k) ? PREFERRED.indexOf(k) : PREFERRED.length);
  return [...found.values()]
    .filter((c) => c.series > 0 && sweepMetrics(rows, c.key, {first: true}).length > 0)
    .sort((a, b) => rank(a.key) - rank(b.key) || b.series - a.series || a.key.localeCompare(b.key));
}

/** Metrics that have at least two values of setting `x` within one sweep line, throughput first. */
export function sweepMetrics(rows: ResultRow[], x: string, {first = false}: {first?: boolean} = {}): string[] {
  const usable = rows.filter(
    (r) => r.status === "ok" && r.value !== null && CENTRAL.includes(r.stat) && settingText(r, x) !== null
  );
  const counts = aq.countValues(usable.map((r) => r.metric));
  const found = new Set<string>();
  for (const group of aq.groupRows(usable, baseKey)) {
    if (found.has(group[0].metric) || !groupSweeps(group, x)) continue;
    found.add(group[0].metric);
    if (first) break;
  }
  return [...found].sort((a, b) =>
    a === "throughput" ? -1 : b === "throughput" ? 1 : (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || cmp(a, b)
  );
}

export interface SweepPoint extends SeriesFacts {
  series: string;
  /** pp, tg, pp+tg, …: what the value measured (pp and tg never share an axis). */
  kind: string | null;
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
export function sweepPoints(
  rows: ResultRow[],
  {x, metric, stats = CENTRAL, better = "auto"}: SweepOptions
): SweepPoint[] & {better: Better} {
  const ok = rows.filter(
    (r) =>
      r.status === "ok" &&
      r.value !== null &&
      r.metric === metric &&
      stats.includes(r.stat) &&
      settingText(r, x) !== null
  );
  const multi = {
    hardware: new Set(ok.map((r) => r.hardware)).size > 1,
    model: new Set(ok.map((r) => r.model_label ?? r.model)).size > 1,
    stat: new Set(ok.map((r) => r.stat)).size > 1
  };
  const points: SweepPoint[] = [];
  const direction: Better = better === "auto" ? betterDirection(metric, ok[0]?.unit) : better;
  const swept = new Set<unknown>();
  for (const group of aq.groupRows(ok, baseKey)) {
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
        also: annotating
          .filter((k) => settingText(r, k) !== modal.get(k))
          .map((k) => `${k} ${settingText(r, k)}`)
          .join(", "),
        test: r.test,
        kind: r.kind ?? null,
        runtime: r.runtime ?? null,
        hardware: r.hardware ?? null,
        quant: r.quant ?? null,
        build: r.build_commit ?? null,
        approximate: Boolean((r.result_extra as Record<string, unknown> | null | undefined)?.approximate),
        run_id: r.run_id,
        source_sha256: r.source_sha256,
        line: r.line,
        text: r.text ?? null
      };
    });
    // A line needs two x values: series split off by another setting may have one.
    const lines = aq.groupRows(seriesPoints, (p) => p.series).filter((list) => new Set(list.map((p) => p.x)).size > 1);
    if (lines.length) swept.add(`${group[0].hardware}\u0000${group[0].model_label ?? group[0].model}`);
    if (direction !== "none")
      for (const list of lines) {
        const target =
          direction === "higher" ? Math.max(...list.map((p) => p.value!)) : Math.min(...list.map((p) => p.value!));
        for (const p of list) p.best = p.value === target;
      }
    const drawn = new Set(lines.map((list) => list[0].series));
    points.push(...seriesPoints.filter((p) => drawn.has(p.series)));
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
      kind: r.kind ?? null,
      approximate: false,
      run_id: r.run_id,
      source_sha256: r.source_sha256,
      line: r.line,
      text: r.text ?? null
    });
  }
  const order = new Map(orderValues(points.map((p) => p.x)).map((x, i) => [x, i]));
  points.sort(
    (a, b) =>
      Number(a.failed) - Number(b.failed) ||
      cmp(a.series, b.series) ||
      order.get(a.x)! - order.get(b.x)! ||
      a.line - b.line
  );
  return Object.assign(points, {better: direction});
}

/** The rows a sweep chart leaves out, counted by reason (leftOutNote): every row no point was drawn from. */
export function sweepLeftOut(
  rows: ResultRow[],
  points: SweepPoint[],
  {x, metric, stats = CENTRAL}: {x: string; metric: string; stats?: string[]}
): {reason: string; n: number}[] {
  const key = (p: {run_id: string; line: number; metric: string; test: string; stat: string}) =>
    [p.run_id, p.line, p.metric, p.test, p.stat].join("\u0000");
  const drawn = new Set(points.map(key));
  const why = (r: ResultRow): string | null =>
    drawn.has(key(r))
      ? null
      : r.metric !== metric
        ? "they measure another metric (choose it above)"
        : r.status !== "ok" || r.value === null
          ? "their test did not produce a value"
          : !stats.includes(r.stat)
            ? `they are ${r.stat} values, not central ones (mean, median)`
            : settingText(r, x) === null
              ? `they do not state ${x}`
              : `their series has a single value of ${x}`;
  return leftOutCounts(rows, why);
}

/** The most common of some values, the first met on a tie; null for none. */
function mode<T extends string | null>(values: T[]): T | null {
  if (!values.length) return null;
  return aq
    .table({v: values, i: values.map((_, i) => i)})
    .groupby("v")
    .rollup({n: aq.op.count(), first: aq.op.min("i")})
    .orderby(aq.desc("n"), "first")
    .get("v", 0) as T;
}

function pointTitle(p: SweepPoint): string {
  if (p.failed) return `${p.status.toUpperCase()} at ${p.x}\n${p.test}${p.status_detail ? `\n${p.status_detail}` : ""}`;
  return [
    `${p.series}`,
    `${p.x}: ${p.approximate ? "~" : ""}${formatPm(p.value, p.stddev)} ${p.unit}${p.stat !== "mean" && p.stat !== "value" ? ` (${p.stat})` : ""}`,
    p.also ? `also: ${p.also}` : "",
    p.best ? "best of its series" : "",
    `as printed: ${p.text ?? "—"}`
  ]
    .filter(Boolean)
    .join("\n");
}

/**
 * The points of a sweep split by what they measured (pp, tg, …), so that prompt processing
 * (~1,000 t/s) and generation (~60 t/s) never share an axis; failures go with every part.
 */
export function sweepPanels(points: SweepPoint[]): {kind: string | null; label: string; points: SweepPoint[]}[] {
  const ok = points.filter((p) => !p.failed);
  const failed = points.filter((p) => p.failed);
  const kinds = [...new Set(ok.map((p) => p.kind))];
  if (kinds.length < 2) return [{kind: kinds[0] ?? null, label: "", points}];
  const names: Record<string, string> = {
    pp: "prompt processing (pp)",
    tg: "generation (tg)",
    "pp+tg": "prompt and generation (pp+tg)"
  };
  return kinds.map((kind) => ({
    kind,
    label: names[kind ?? ""] ?? kind ?? "other",
    points: [...ok.filter((p) => p.kind === kind), ...failed]
  }));
}

/**
 * x (the setting, in sweep order) against y (the metric, from zero where it is a throughput).
 * Lines join one value per x (the median where a cell was reported twice); failures are red
 * crosses on the x axis labelled with their status; best cells are ringed. Pass one panel of
 * sweepPanels: pp and tg differ by orders of magnitude.
 */
export function sweepPlot(
  points: SweepPoint[],
  {width = 640, height = 360, xLabel}: {width?: number; height?: number; xLabel?: string} = {}
): SVGSVGElement | HTMLElement {
  const ok = points.filter((p) => !p.failed);
  const failed = points.filter((p) => p.failed);
  const domain = orderValues(points.map((p) => p.x));
  // The line goes through the median of the values at each x (several runs can measure one).
  const line = ok.length
    ? (aq
        .table({series: ok.map((p) => p.series), x: ok.map((p) => p.x), value: ok.map((p) => p.value)})
        .groupby("series", "x")
        .rollup({value: aq.op.median("value")})
        .objects() as {series: string; x: string; value: number}[])
    : [];
  const withSd = ok.filter((p) => p.stddev !== null && p.stddev > 0);
  const top = Math.max(0, ...ok.map((p) => p.value! + (p.stddev ?? 0)));
  const low = Math.min(0, ...ok.map((p) => p.value! - (p.stddev ?? 0)));
  const throughput = ok[0]?.metric === "throughput";
  const color = seriesColors(ok);
  const chart = Plot.plot({
    width,
    height,
    marginBottom: 40,
    marginLeft: yMargin(top, throughput ? 0 : Math.min(...ok.map((p) => p.value!))),
    x: {type: "point", domain, label: xLabel ?? null, padding: 0.4},
    y: {label: ok.length ? `${ok[0].metric} (${ok[0].unit})` : null, grid: true, zero: throughput || low < 0},
    color: {legend: true, type: "categorical", domain: color.domain, range: color.range},
    marks: [
      Plot.line(line, {x: "x", y: "value", stroke: "series", sort: (d: {x: string}) => domain.indexOf(d.x)}),
      Plot.ruleX(withSd, {
        x: "x",
        y1: (p: SweepPoint) => p.value! - p.stddev!,
        y2: (p: SweepPoint) => p.value! + p.stddev!,
        stroke: "series",
        ...ERROR_BAR
      }),
      Plot.dot(
        ok.filter((p) => p.best),
        {x: "x", y: "value", r: 8, stroke: "currentColor", strokeWidth: 1.5, fill: "none", ariaDescription: "best"}
      ),
      Plot.dot(ok, {
        x: "x",
        y: "value",
        fill: "series",
        r: 3.5,
        title: pointTitle,
        href: (p: SweepPoint) => sourceHref(p.source_sha256, p.line),
        ariaDescription: "sweep"
      }),
      Plot.dot(failed, {
        x: "x",
        frameAnchor: "bottom",
        symbol: "times",
        r: 6,
        stroke: "var(--theme-red, #d62728)",
        strokeWidth: 2.5,
        title: pointTitle,
        ariaDescription: "failed"
      }),
      Plot.text(failed, {
        x: "x",
        frameAnchor: "bottom",
        text: "status",
        dy: -12,
        fontSize: 10,
        fill: "var(--theme-red, #d62728)",
        title: pointTitle,
        ariaDescription: "failed-label"
      })
    ]
  });
  return linkLegend(chart);
}

export const SWEEP_COLUMNS = [
  "series",
  "x",
  "value",
  "stddev",
  "unit",
  "stat",
  "status",
  "status_detail",
  "best",
  "also",
  "test",
  "text",
  "source"
];

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
    header: {
      series: "series",
      x: xLabel,
      value: "value",
      status: "status",
      best: "best",
      also: "also changed",
      test: "test / label",
      source: "raw line"
    },
    format: {
      value: (_: number, i: number, data: Row[]) =>
        data[i].failed
          ? "—"
          : `${data[i].approximate ? "~" : ""}${formatPm(data[i].value, data[i].stddev)} ${data[i].unit}`,
      status: (s: string, i: number, data: Row[]) =>
        s === "ok" ? "ok" : `${s}${data[i].status_detail ? `: ${data[i].status_detail}` : ""}`,
      best: (b: boolean) => (b ? "★" : ""),
      source: rawLineCell
    },
    rows: 16,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}

// ─── before/after ──────────────────────────────────────────────────────────

/*
 * Before/after: what changed between two configurations (a run, or the part of one sharing one set of settings)
 * and each common metric's change with compareMeans. Metrics match by what they measured, not by test name,
 * since hand-entered values are named by their label.
 */
type Settings = Record<string, unknown>;

export interface Config {
  /** `<run id>~<hash of its settings>`: stable across builds of the same store. */
  id: string;
  run_id: string;
  label: string;
  hardware: string | null;
  model_label: string | null;
  runtime: string | null;
  tool: string | null;
  build: string | null;
  backend: string | null;
  origin: string;
  settings: Settings;
  rows: ResultRow[];
}

/** FNV-1a, 32 bits, hex: a short stable id for a settings object. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

const stable = (s: Settings) =>
  JSON.stringify(
    Object.keys(s)
      .sort()
      .map((k) => [k, s[k]])
  );
const show = (v: unknown) =>
  v === undefined || v === null ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v);

/** Configurations: runs, split by the settings their results override. */
export function configurations(rows: ResultRow[]): Config[] {
  const settingsOf = (r: ResultRow) => (r.settings as Settings | null) ?? {};
  const idOf = (r: ResultRow) => `${r.run_id}~${hash(stable(settingsOf(r)))}`;
  const configs: Config[] = aq.groupRows(rows, idOf).map((group) => {
    const r = group[0];
    return {
      id: idOf(r),
      run_id: r.run_id,
      label: "",
      hardware: r.hardware || null,
      model_label: r.model_label ?? r.model ?? null,
      runtime: r.runtime ?? null,
      tool: r.tool ?? null,
      build: r.build_commit
        ? `${r.build_commit}${r.build_number ? ` (${r.build_number})` : ""}`
        : (r.tool_version ?? null),
      backend: r.backend ?? null,
      origin: r.origin ?? "measured",
      settings: settingsOf(r),
      rows: group
    };
  });
  // Labels: the run's own label (hand-entered) or model · machine, then the settings that tell it from configurations with the same label.
  const baseOf = (c: Config) => {
    const runLabel = (c.rows[0].extra as Record<string, unknown> | null)?.label;
    return typeof runLabel === "string"
      ? `${runLabel} · ${c.hardware ?? "hardware not stated"}`
      : [
          c.model_label ?? "?",
          c.hardware ?? "hardware not stated",
          c.runtime && c.runtime !== "llama.cpp" ? c.runtime : null,
          c.tool && c.tool !== "llama-bench" && c.tool !== c.runtime ? c.tool : null
        ]
          .filter(Boolean)
          .join(" · ");
  };
  for (const list of aq.groupRows(configs, baseOf)) {
    const base = baseOf(list[0]);
    const keys = [...new Set(list.flatMap((c) => Object.keys(c.settings)))]
      .filter((k) => new Set(list.map((c) => show(c.settings[k]))).size > 1)
      .sort();
    const modal = new Map(keys.map((k) => [k, mode(list.map((c) => show(c.settings[k])))]));
    for (const c of list) {
      const distinguishing = keys.length <= 3 ? keys : keys.filter((k) => show(c.settings[k]) !== modal.get(k));
      c.label = [base, ...distinguishing.map((k) => `${k} ${show(c.settings[k])}`)].join(" · ");
    }
  }
  const seen = aq.occurrences(configs.map((c) => c.label));
  configs.forEach((c, i) => seen[i].of > 1 && (c.label += ` (run ${c.run_id})`));
  return configs.sort((a, b) => cmp(a.label, b.label));
}

/** What a value measured, independent of how the test was named. */
export function metricKey(row: ResultRow): string {
  return [
    row.metric,
    row.stat,
    row.unit,
    row.kind,
    row.n_prompt ?? "",
    row.n_gen ?? "",
    row.n_depth ?? "",
    row.concurrency ?? "",
    row.scope ?? "run",
    gpuOf(row) ?? ""
  ].join("|");
}

export function metricLabel(row: ResultRow): string {
  const parts = [row.metric];
  if (row.kind && row.kind !== "other" && row.kind !== "hardware") {
    let shape: string = row.kind;
    if (row.kind === "pp" && row.n_prompt) shape = `pp${row.n_prompt}`;
    else if (row.kind === "tg" && row.n_gen) shape = `tg${row.n_gen}`;
    else if (row.n_prompt) shape += ` (prompt ${row.n_prompt})`;
    parts.unshift(shape);
  } else if (row.n_prompt) parts.push(`prompt ${row.n_prompt}`);
  if (row.n_depth) parts.push(`@ d${row.n_depth}`);
  if (row.concurrency && row.concurrency !== 1) parts.push(`c${row.concurrency}`);
  if (!["mean", "value"].includes(row.stat)) parts.push(row.stat);
  const gpu = gpuOf(row);
  if (gpu !== null) parts.push(`GPU ${gpu}`);
  return parts.join(" ");
}

export interface Cell {
  test: string;
  value: number | null;
  stddev: number | null;
  stddev_kind: string | null;
  repetitions: number | null;
  status: string;
  status_detail: string | null;
  text: string | null;
  approximate: boolean;
  source_sha256: string;
  /** Every line that printed this value (a writeup may repeat a figure). */
  lines: number[];
  row: ResultRow;
}

/** A config's values per metric key; the same value printed twice is one cell with both lines. */
function cells(config: Config): Map<string, Cell[]> {
  const out = new Map<string, Cell[]>();
  for (const r of [...config.rows].sort((a, b) => a.line - b.line)) {
    const key = metricKey(r);
    const list = out.get(key) ?? [];
    const same = list.find((c) => c.value === r.value && c.stddev === (r.stddev ?? null) && c.status === r.status);
    if (same) {
      if (!same.lines.includes(r.line)) same.lines.push(r.line);
      continue;
    }
    list.push({
      test: r.test,
      value: r.value,
      stddev: r.stddev ?? null,
      stddev_kind: r.stddev_kind ?? null,
      repetitions: r.repetitions ?? null,
      status: r.status,
      status_detail: r.status_detail ?? null,
      text: r.text ?? null,
      approximate: Boolean((r.result_extra as Record<string, unknown> | null)?.approximate),
      source_sha256: r.source_sha256,
      lines: [r.line],
      row: r
    });
    out.set(key, list);
  }
  return out;
}

export interface Change {
  field: string;
  before: string;
  after: string;
}

export interface MetricDelta {
  key: string;
  label: string;
  unit: string;
  before: Cell;
  after: Cell;
  /** after vs before (ratio = after / before); null where either is not a value. */
  comparison: Comparison | null;
  /** Interval of after − before, by the comparison's method (null: no dispersion printed). */
  difference: {low: number; high: number} | null;
}

const {studentt} = jstat as unknown as {studentt: {inv(p: number, df: number): number}};

/**
 * The interval of b − a that goes with compareMeans' ratio interval: 95%
 * Welch (t quantile on the Welch–Satterthwaite degrees of freedom) where both
 * repetition counts are known, ±1 sd propagated where only deviations are,
 * none without deviations.
 */
export function differenceInterval(
  a: Measured,
  b: Measured,
  c: Comparison,
  level = 0.95
): {low: number; high: number} | null {
  const sa = sampleSd(a);
  const sb = sampleSd(b);
  if (c.method === "none" || sa === null || sb === null) return null;
  if (c.method === "welch") {
    const va = (sa * sa) / a.repetitions!;
    const vb = (sb * sb) / b.repetitions!;
    const se = Math.sqrt(va + vb);
    const df =
      va + vb === 0
        ? a.repetitions! + b.repetitions! - 2
        : (va + vb) ** 2 / ((va * va) / (a.repetitions! - 1) + (vb * vb) / (b.repetitions! - 1));
    const q = studentt.inv(1 - (1 - level) / 2, df);
    return {low: c.difference - q * se, high: c.difference + q * se};
  }
  const s = Math.hypot(sa, sb);
  return {low: c.difference - s, high: c.difference + s};
}

export interface ConfigDiff {
  before: Config;
  after: Config;
  changes: Change[];
  metrics: MetricDelta[];
}

/** What differs between two configurations, and every metric both have, before → after. */
/** What differs between two configurations: machine, model, runtime, tool, build, backend, origin, then every setting. */
export function changesBetween(before: Config, after: Config): Change[] {
  const changes: Change[] = [];
  const facts: [string, keyof Config][] = [
    ["machine", "hardware"],
    ["model", "model_label"],
    ["runtime", "runtime"],
    ["tool", "tool"],
    ["build / version", "build"],
    ["backend", "backend"],
    ["origin", "origin"]
  ];
  for (const [field, key] of facts)
    if (show(before[key]) !== show(after[key]))
      changes.push({field, before: show(before[key]), after: show(after[key])});
  for (const k of [...new Set([...Object.keys(before.settings), ...Object.keys(after.settings)])].sort()) {
    if (show(before.settings[k]) !== show(after.settings[k]))
      changes.push({field: k, before: show(before.settings[k]), after: show(after.settings[k])});
  }
  return changes;
}

/** What differs between two configurations, and every metric both have, before → after. */
export function diffConfigs(before: Config, after: Config): ConfigDiff {
  const changes = changesBetween(before, after);
  const a = cells(before);
  const b = cells(after);
  const metrics: MetricDelta[] = [];
  for (const [key, listA] of a) {
    const listB = b.get(key);
    if (!listB) continue;
    // Where both sides name a test the same way, pair those; otherwise every combination.
    const named = listA.flatMap((x) => listB.filter((y) => y.test === x.test).map((y) => [x, y] as const));
    const pairs = named.length ? named : listA.flatMap((x) => listB.map((y) => [x, y] as const));
    for (const [x, y] of pairs) {
      const comparable =
        x.value !== null && y.value !== null && x.status === "ok" && y.status === "ok" && x.value !== 0;
      const comparison = comparable ? compareMeans(measuredOf(x.row), measuredOf(y.row)) : null;
      const difference = comparison ? differenceInterval(measuredOf(x.row), measuredOf(y.row), comparison) : null;
      metrics.push({key, label: metricLabel(x.row), unit: x.row.unit, before: x, after: y, comparison, difference});
    }
  }
  metrics.sort((p, q) => p.label.localeCompare(q.label) || p.before.lines[0] - q.before.lines[0]);
  return {before, after, changes, metrics};
}

export interface Pair {
  before: string;
  after: string;
  label: string;
  changes: number;
  shared: number;
}

/**
 * Pairs worth comparing: the same machine and model, at least one metric in
 * common, fewest changes first (one changed setting is a clean experiment),
 * then most metrics in common.
 */
export function suggestPairs(configs: Config[], limit = 20): Pair[] {
  const pairs: Pair[] = [];
  const keysOf = new Map(configs.map((c) => [c.id, new Set(c.rows.filter((r) => r.status === "ok").map(metricKey))]));
  // Only configurations of the same machine, model and origin are paired: bucket them first.
  for (const bucket of aq.groupRows(configs, (c) => `${c.hardware}\u0000${c.model_label}\u0000${c.origin}`)) {
    for (let i = 0; i < bucket.length; i++) {
      for (let j = i + 1; j < bucket.length; j++) {
        const [a, b] = [bucket[i], bucket[j]];
        const keysB = keysOf.get(b.id)!;
        let shared = 0;
        for (const k of keysOf.get(a.id)!) if (keysB.has(k)) shared++;
        if (shared === 0) continue;
        const changes = changesBetween(a, b).length;
        if (changes === 0) continue;
        const [first, second] = orderPair(a, b);
        pairs.push({before: first.id, after: second.id, label: `${first.label} → ${second.label}`, changes, shared});
      }
    }
  }
  return pairs
    .sort((p, q) => p.changes - q.changes || q.shared - p.shared || p.label.localeCompare(q.label))
    .slice(0, limit);
}

/** Where a config was written: the writeup's line for hand-entered values, else the raw input's. */
const firstLine = (c: Config) =>
  Math.min(...c.rows.map((r) => Number((r.result_extra as Record<string, unknown> | null)?.source_line ?? r.line)));

/**
 * Before and after: one numeric setting changed → ascending (`-ub 128` before
 * `-ub 256`); otherwise in the order they were written, when both come from
 * one input.
 */
export function orderPair(a: Config, b: Config): [Config, Config] {
  const changes = changesBetween(a, b);
  if (changes.length === 1) {
    const [x, y] = [Number(changes[0].before), Number(changes[0].after)];
    if (Number.isFinite(x) && Number.isFinite(y) && changes[0].before !== "—" && changes[0].after !== "—")
      return x <= y ? [a, b] : [b, a];
  }
  if (a.rows[0].source_sha256 === b.rows[0].source_sha256) return firstLine(a) <= firstLine(b) ? [a, b] : [b, a];
  return [a, b];
}

/** A select of configurations whose choice lives in the URL (`?before=<id>`), so a comparison can be linked. */
export function configPicker(
  configs: Config[],
  {param, label, value}: {param: string; label: string; value?: string | null}
): HTMLElement & {value: string} {
  return urlSelect(new Map(configs.map((c) => [c.label, c.id])), {param, label, value, width: 560});
}

const cellText = (c: Cell, unit: string) =>
  c.status !== "ok"
    ? `${c.status}${c.status_detail ? ` (${c.status_detail})` : ""}`
    : `${c.approximate ? "~" : ""}${formatPm(c.value, c.stddev)} ${unit}`.trim();

/** Each shared metric's after/before ratio (×) with its interval where the inputs had dispersion; the label gives both values. */
export function diffPlot(diff: ConfigDiff, {width = 640}: {width?: number} = {}): SVGSVGElement | HTMLElement {
  const compared = diff.metrics.filter((m) => m.comparison);
  const row = (m: MetricDelta) =>
    `${m.label}${diff.metrics.filter((n) => n.label === m.label).length > 1 ? ` (${m.before.test} → ${m.after.test})` : ""}`;
  const interval = compared.filter((m) => m.comparison!.low !== null);
  return Plot.plot({
    width,
    height: 50 + 28 * Math.max(1, compared.length),
    marginLeft: Math.min(320, 8 + 6.2 * Math.max(...compared.map((m) => row(m).length), 10)),
    marginRight: 140,
    x: {label: "after ÷ before (×)", grid: true, tickFormat: (d: number) => `${d}×`},
    y: {label: null, domain: compared.map(row)},
    marks: [
      Plot.ruleX([1], {stroke: "currentColor", strokeOpacity: 0.5}),
      Plot.ruleY(interval, {
        y: row,
        x1: (m: MetricDelta) => m.comparison!.low!,
        x2: (m: MetricDelta) => m.comparison!.high!,
        stroke: "var(--theme-foreground-focus)",
        strokeWidth: 2
      }),
      Plot.dot(compared, {
        y: row,
        x: (m: MetricDelta) => m.comparison!.ratio,
        fill: (m: MetricDelta) => (m.comparison!.ratio >= 1 ? "higher" : "lower"),
        r: 5,
        ariaDescription: "delta",
        title: (m: MetricDelta) =>
          `${m.label}\n${cellText(m.before, m.unit)} → ${cellText(m.after, m.unit)}\n${formatRatio(m.comparison!)} (${formatChange(m.comparison!, 1)})\n${m.comparison!.note}`
      }),
      Plot.text(compared, {
        y: row,
        x: (m: MetricDelta) => m.comparison!.ratio,
        text: (m: MetricDelta) => `${m.before.value} → ${m.after.value} ${m.unit}`,
        dx: 10,
        textAnchor: "start",
        fontSize: 10,
        fill: "currentColor"
      })
    ],
    color: {domain: ["higher", "lower"], range: ["var(--theme-foreground-focus)", "var(--theme-foreground-muted)"]}
  });
}

export const CHANGE_COLUMNS = ["field", "before", "after"];

/** What changed: machine, model, runtime, build and every setting that differs. */
export function changesTable(diff: ConfigDiff): HTMLElement {
  if (diff.changes.length === 0)
    return html`<p class="muted">Nothing differs between the two configurations: same machine, model, runtime and settings.</p>` as HTMLElement;
  return Inputs.table(diff.changes, {
    columns: CHANGE_COLUMNS,
    header: {field: "what", before: "before", after: "after"},
    layout: "auto",
    select: false,
    rows: 20
  } as any) as HTMLElement;
}

export const DELTA_COLUMNS = [
  "metric",
  "unit",
  "before_test",
  "before",
  "before_stddev",
  "after_test",
  "after",
  "after_stddev",
  "difference",
  "difference_low",
  "difference_high",
  "ratio",
  "ratio_low",
  "ratio_high",
  "within_noise",
  "method",
  "before_source",
  "after_source"
];

export function deltaTableRows(diff: ConfigDiff): Record<string, string | number | boolean | null>[] {
  return diff.metrics.map((m) => ({
    metric: m.label,
    unit: m.unit,
    before_test: m.before.test,
    before: m.before.status === "ok" ? m.before.value : m.before.status,
    before_stddev: m.before.stddev,
    after_test: m.after.test,
    after: m.after.status === "ok" ? m.after.value : m.after.status,
    after_stddev: m.after.stddev,
    difference: m.comparison?.difference ?? null,
    difference_low: m.difference?.low ?? null,
    difference_high: m.difference?.high ?? null,
    ratio: m.comparison?.ratio ?? null,
    ratio_low: m.comparison?.low ?? null,
    ratio_high: m.comparison?.high ?? null,
    within_noise: m.comparison?.noise ?? null,
    method: m.comparison?.method ?? null,
    before_source: `${m.before.source_sha256}:${m.before.lines.join(",")}`,
    after_source: `${m.after.source_sha256}:${m.after.lines.join(",")}`
  }));
}

/** Every shared metric: before and after as printed (linked to their lines), the difference, the ratio with its interval. */
export function deltaTable(diff: ConfigDiff): HTMLElement {
  const rows = diff.metrics.map((m, i) => ({...m, i, delta: m.comparison?.difference ?? null}));
  type Row = (typeof rows)[number];
  const links = (c: Cell) =>
    html`<span>${c.lines.map((line, k) => html`${k ? ", " : ""}${sourceLink(c.source_sha256, line, `L${line}`)}`)}</span>`;
  return Inputs.table(rows, {
    columns: ["label", "before", "after", "delta", "comparison"],
    header: {label: "metric", before: "before", after: "after", delta: "after − before", comparison: "after ÷ before"},
    format: {
      before: (c: Cell, i: number, data: Row[]) =>
        html`<span title=${c.test}>${cellText(c, data[i].unit)}</span> ${links(c)}`,
      after: (c: Cell, i: number, data: Row[]) =>
        html`<span title=${c.test}>${cellText(c, data[i].unit)}</span> ${links(c)}`,
      delta: (d: number | null, i: number, data: Row[]) => {
        if (d === null) return "—";
        const f = (x: number) => `${x >= 0 ? "+" : "−"}${Number(Math.abs(x).toPrecision(4))}`;
        const interval = data[i].difference;
        return `${f(d)} ${data[i].unit}${interval ? ` [${f(interval.low)} to ${f(interval.high)}]` : ""}`;
      },
      comparison: (c: Comparison | null) =>
        c
          ? html`<span title=${c.note}>${formatRatio(c)} (${formatChange(c, 1)})${c.noise ? " ≈ within noise" : ""}${c.method === "none" ? " · no dispersion printed" : ""}</span>`
          : "—"
    },
    sort: undefined,
    rows: 20,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}
