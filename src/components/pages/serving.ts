/**
 * Serving latency as printed (each labelled with its stat) against concurrency, and the distribution of
 * per-request samples with the run's printed percentiles marked.
 */
import * as Plot from "@observablehq/plot";
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import * as aq from "../shared/arquero.js";
import type {ResultRow} from "../shared/data.js";
import {ERROR_BAR, colorsFor, linkLegend, seriesColors, valueTitle} from "../shared/chart.js";
import {formatPm, leftOutCounts, runLink, sourceHref, sourceLink} from "../shared/format.js";

/** Latency metrics this chart knows, in display order. */
export const LATENCY_METRICS: {metric: string; label: string}[] = [
  {metric: "ttft", label: "TTFT (time to first token)"},
  {metric: "tpot", label: "TPOT (time per output token, first excluded)"},
  {metric: "itl", label: "ITL (inter-token latency)"},
  {metric: "e2el", label: "E2EL (end-to-end latency)"},
  {metric: "ttfr", label: "TTFR (time to first response, llama-benchy)"},
  {metric: "e2e_ttft", label: "e2e TTFT (llama-benchy)"},
  {metric: "est_ppt", label: "estimated prompt processing time (llama-benchy)"}
];
const METRIC_SET = new Set(LATENCY_METRICS.map((m) => m.metric));

/** Serving throughput figures, for the same chart against concurrency. */
export const THROUGHPUT_METRICS: {metric: string; label: string}[] = [
  {metric: "output_throughput", label: "output token throughput"},
  {metric: "total_throughput", label: "total token throughput"},
  {metric: "request_throughput", label: "request throughput"}
];

const AXIS_LABEL = new Map(
  [...LATENCY_METRICS, ...THROUGHPUT_METRICS].map((m) => [m.metric, m.label.replace(/ \(.*\)$/, "")])
);

/** Milliseconds per unit, for putting per-request samples stored in seconds on a ms axis. */
const TO_MS: Record<string, number> = {ms: 1, s: 1000, us: 0.001, µs: 0.001, ns: 1e-6};

export function toMs(value: number, unit: string): number | null {
  const factor = TO_MS[unit];
  return factor === undefined ? null : value * factor;
}

/** Order of stats in legends and tables: mean, median, then percentiles ascending. */
export function statOrder(stat: string): number {
  if (stat === "mean") return 0;
  if (stat === "median") return 50.5;
  const p = /^p(\d+(?:\.\d+)?)$/.exec(stat);
  return p ? Number(p[1]) : 1000;
}

/** What one curve is: the runtime measured, the model, the machine, the request shape. */
export function servingSeries(row: ResultRow): string {
  const parts = [row.runtime ?? row.tool, row.model_label ?? row.model ?? "?", row.hardware ?? "?"];
  if (row.n_prompt !== null && row.n_prompt !== undefined) parts.push(`in ${row.n_prompt}`);
  if (row.n_gen !== null && row.n_gen !== undefined) parts.push(`out ${row.n_gen}`);
  return parts.join(" · ");
}

export interface LatencyPoint {
  series: string;
  run_id: string;
  source_sha256: string;
  line: number;
  test: string;
  runtime: string | null;
  concurrency: number;
  metric: string;
  stat: string;
  value: number;
  unit: string;
  stddev: number | null;
  stddev_kind: string | null;
  repetitions: number | null;
  hardware: string | null;
  text: string | null;
}

/** A run-level serving figure of one of `metrics`, as printed (not one the importer derived). */
const runFigure = (metrics: ReadonlySet<string>) => (r: ResultRow) =>
  metrics.has(r.metric) &&
  (r.scope ?? "run") === "run" &&
  r.status === "ok" &&
  r.value !== null &&
  !r.result_extra?.derived_from;

/** What every run-level figure shows, whatever its x. */
function figure(r: ResultRow): Omit<LatencyPoint, "concurrency"> {
  return {
    series: servingSeries(r),
    run_id: r.run_id,
    source_sha256: r.source_sha256,
    line: r.line,
    test: r.test,
    runtime: r.runtime ?? null,
    metric: r.metric,
    stat: r.stat,
    value: r.value!,
    unit: r.unit,
    stddev: r.stddev,
    stddev_kind: r.stddev_kind ?? null,
    repetitions: r.repetitions ?? null,
    hardware: r.hardware ?? null,
    text: r.text ?? null
  };
}

const figureOrder = (a: Omit<LatencyPoint, "concurrency">, b: Omit<LatencyPoint, "concurrency">) =>
  a.series.localeCompare(b.series) || a.metric.localeCompare(b.metric) || statOrder(a.stat) - statOrder(b.stat);

/** Run-level statistics (latency by default) that say which concurrency they were measured at. */
export function latencyPoints(rows: ResultRow[], metrics: ReadonlySet<string> = METRIC_SET): LatencyPoint[] {
  return rows
    .filter((r) => runFigure(metrics)(r) && r.concurrency !== null && r.concurrency !== undefined)
    .map((r) => ({...figure(r), concurrency: r.concurrency as number}))
    .sort((a, b) => figureOrder(a, b) || a.concurrency - b.concurrency);
}

/** A run-level figure of a serving run sent without a concurrency limit (`vllm bench serve` without `--max-concurrency`). */
export interface UnboundedPoint extends Omit<LatencyPoint, "concurrency"> {
  /** As the tool printed it (`10`, `inf`); null when it did not say. */
  request_rate: number | string | null;
}

/**
 * The figures the concurrency axis cannot place: results whose `extra`
 * says `concurrency: "unbounded"` (docs/importing.md), with their request rate.
 */
export function unboundedPoints(
  rows: ResultRow[],
  metrics: ReadonlySet<string> = new Set([...METRIC_SET, ...THROUGHPUT_METRICS.map((m) => m.metric)])
): UnboundedPoint[] {
  return rows
    .filter((r) => runFigure(metrics)(r) && r.result_extra?.concurrency === "unbounded")
    .map((r) => ({
      ...figure(r),
      request_rate: (r.result_extra?.request_rate as number | string | null | undefined) ?? null
    }))
    .sort(figureOrder);
}

/** A table of run-level figures: series, run, the given columns, value ± sd, unit, raw line. */
function figureTable<T extends Omit<LatencyPoint, "concurrency">>(
  points: T[],
  {
    columns,
    format = {},
    depth
  }: {columns: Record<string, string>; format?: Record<string, (v: any) => unknown>; depth: number}
): HTMLElement {
  return Inputs.table(points, {
    columns: ["series", "run_id", ...Object.keys(columns), "value", "unit", "line"],
    header: {series: "series", run_id: "run", ...columns, value: "value (± sd)", unit: "unit", line: "raw line"},
    width: {series: 260, run_id: 130},
    format: {
      ...format,
      run_id: (id: string) => runLink(id, depth),
      value: (_: number, i: number, data: T[]) => formatPm(data[i].value, data[i].stddev),
      line: (_: number, i: number, data: T[]) =>
        sourceLink(data[i].source_sha256, data[i].line, `line ${data[i].line}`, depth)
    },
    rows: 16,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}

export function unboundedTable(points: UnboundedPoint[], depth = 0): HTMLElement {
  return figureTable(points, {
    columns: {request_rate: "request rate (req/s)", metric: "metric", stat: "stat"},
    format: {request_rate: (rate: number | string | null) => (rate === null ? "not stated" : String(rate))},
    depth
  });
}

/**
 * One colour per series for a whole page (latency, throughput and per-request charts alike):
 * by runtime, its variants shades of it (shared/chart.ts), so a runtime keeps its colour.
 */
export function servingColors(rows: ResultRow[]): {domain: string[]; range: string[]} {
  const series = new Map<string, {series: string; runtime: string | null}>();
  for (const p of latencyPoints(rows, new Set([...METRIC_SET, ...THROUGHPUT_METRICS.map((m) => m.metric)])))
    series.set(p.series, {series: p.series, runtime: p.runtime});
  for (const s of requestSamples(rows)) series.set(s.series, {series: s.series, runtime: s.runtime});
  const sorted = [...series.values()].sort((a, b) => a.series.localeCompare(b.series));
  return seriesColors(sorted, {by: "runtime"});
}

/**
 * The page's serving results that none of its charts or tables can place, counted by reason: the
 * concurrency charts take run-level figures with a concurrency, the unbounded table those sent
 * without a limit, the distributions per-request samples in a time unit.
 */
export function servingLeftOut(rows: ResultRow[]): {reason: string; n: number}[] {
  const all = new Set([...METRIC_SET, ...THROUGHPUT_METRICS.map((m) => m.metric)]);
  const why = (r: ResultRow) =>
    !all.has(r.metric)
      ? "they are not serving latency or throughput"
      : r.status !== "ok" || r.value === null
        ? "their test did not produce a value"
        : r.scope === "request"
          ? METRIC_SET.has(r.metric) && toMs(r.value, r.unit) !== null
            ? null
            : "they are per-request values in a unit the distributions do not read"
          : (r.scope ?? "run") !== "run"
            ? `they are per-${r.scope} values`
            : r.result_extra?.derived_from
              ? "the importer derived them from other values (the run page shows them)"
              : r.result_extra?.concurrency === "unbounded" || (r.concurrency !== null && r.concurrency !== undefined)
                ? null
                : "they do not state a concurrency";
  return leftOutCounts(rows, why);
}

/** Distinct stats among the points, in display order. */
export function statsOf(points: {stat: string}[]): string[] {
  return [...new Set(points.map((p) => p.stat))].sort((a, b) => statOrder(a) - statOrder(b));
}

export interface LatencyPlotOptions {
  metric: string;
  /** Stats to draw (default: all). */
  stats?: string[];
  /** The page's colours (servingColors), so a series keeps its colour on every chart; default: this chart's own. */
  colors?: {domain: string[]; range: string[]};
  width?: number;
  height?: number;
  /** Folders below the site root (raw-line links from reports/ need 1). */
  depth?: number;
}

const latencyTitle = (p: LatencyPoint) =>
  valueTitle(
    p.series,
    {
      value: p.value,
      unit: p.unit,
      stddev: p.stddev,
      stddev_kind: p.stddev_kind,
      stat: p.stat,
      metric: p.metric,
      repetitions: p.repetitions,
      test: p.test,
      line: p.line
    },
    [`concurrency ${p.concurrency}, run ${p.run_id}`]
  );

/**
 * One line per series and stat across concurrency: colour by series (its runtime's colour, variants
 * shades of it), symbol by statistic; each dot links to its raw line, its tooltip says the value ±
 * sd, the sd's kind, the repetitions and the line.
 */
export function latencyPlot(
  points: LatencyPoint[],
  {metric, stats, colors, width = 640, height = 360, depth = 0}: LatencyPlotOptions
): SVGSVGElement | HTMLElement {
  const data = points.filter((p) => p.metric === metric && (!stats || stats.includes(p.stat)));
  const units = [...new Set(data.map((p) => p.unit))];
  const levels = [...new Set(data.map((p) => p.concurrency))].sort((a, b) => a - b);
  const key = (p: LatencyPoint) => `${p.series} · ${p.stat}`;
  const color = colorsFor(
    colors ?? seriesColors(data, {by: "runtime"}),
    data.map((p) => p.series)
  );
  const chart = Plot.plot({
    width,
    height,
    marginRight: 20,
    x: {
      label: "concurrency (requests in flight)",
      type: levels.length > 1 && levels[0] > 0 ? "log" : "point",
      base: 2,
      ticks: levels,
      tickFormat: (d: number) => String(d),
      grid: true
    } as Plot.ScaleOptions,
    y: {label: `${AXIS_LABEL.get(metric) ?? metric} (${units.join(", ") || "ms"})`, grid: true, zero: true},
    color: {legend: true, type: "categorical", ...color},
    symbol: {legend: true, domain: statsOf(data)},
    marks: [
      Plot.ruleX(
        data.filter((p) => p.stddev !== null && p.stddev > 0),
        {
          x: "concurrency",
          y1: (p: LatencyPoint) => p.value - p.stddev!,
          y2: (p: LatencyPoint) => p.value + p.stddev!,
          stroke: "series",
          ...ERROR_BAR
        }
      ),
      Plot.line(data, {x: "concurrency", y: "value", stroke: "series", z: key, strokeOpacity: 0.8}),
      Plot.dot(data, {
        x: "concurrency",
        y: "value",
        fill: "series",
        symbol: "stat",
        r: 3.5,
        href: (p: LatencyPoint) => sourceHref(p.source_sha256, p.line, depth)
      }),
      Plot.tip(data, Plot.pointer({x: "concurrency", y: "value", title: latencyTitle}))
    ]
  });
  return linkLegend(chart);
}

/** Rows for downloads: values as stored, with their stat, unit and raw line. */
export function latencyTableRows(points: LatencyPoint[]): Record<string, string | number | null>[] {
  return points.map((p) => ({
    series: p.series,
    run: p.run_id,
    test: p.test,
    concurrency: p.concurrency,
    metric: p.metric,
    stat: p.stat,
    value: p.value,
    stddev: p.stddev,
    unit: p.unit,
    source: `${p.source_sha256}:${p.line}`
  }));
}

export const LATENCY_TABLE_COLUMNS = [
  "series",
  "run",
  "test",
  "concurrency",
  "metric",
  "stat",
  "value",
  "stddev",
  "unit",
  "source"
];

export function latencyTable(points: LatencyPoint[], depth = 0): HTMLElement {
  return figureTable(points, {columns: {concurrency: "concurrency", metric: "metric", stat: "stat"}, depth});
}

export interface RequestSample {
  /** Series and run: one distribution per run. */
  series: string;
  runtime: string | null;
  run_id: string;
  source_sha256: string;
  line: number;
  metric: string;
  request: number | null;
  seq: number | null;
  value: number;
  unit: string;
  /** The value on a millisecond axis (as stored when the unit is ms). */
  ms: number;
}

/** Per-request latency samples (scope request), ok values only, on a common millisecond axis. */
export function requestSamples(rows: ResultRow[]): RequestSample[] {
  const out: RequestSample[] = [];
  for (const r of rows) {
    if (r.scope !== "request" || !METRIC_SET.has(r.metric) || r.status !== "ok" || r.value === null) continue;
    const ms = toMs(r.value, r.unit);
    if (ms === null) continue;
    out.push({
      series: `${servingSeries(r)} · ${r.test} · run ${r.run_id}`,
      runtime: r.runtime ?? null,
      run_id: r.run_id,
      source_sha256: r.source_sha256,
      line: r.line,
      metric: r.metric,
      request: r.request ?? null,
      seq: r.seq ?? null,
      value: r.value,
      unit: r.unit,
      ms
    });
  }
  return out;
}

export interface CdfPoint extends RequestSample {
  /** Share of the series' samples ≤ this one (empirical CDF, i/n). */
  p: number;
  n: number;
}

/** Empirical CDF per series: the i-th smallest of n samples at i/n. */
export function cdfPoints(samples: RequestSample[]): CdfPoint[] {
  const out: CdfPoint[] = [];
  for (const group of aq.groupRows(samples, (s) => `${s.series}\u0000${s.metric}`)) {
    const sorted = [...group].sort((a, b) => a.ms - b.ms || a.line - b.line);
    sorted.forEach((s, i) => out.push({...s, p: (i + 1) / sorted.length, n: sorted.length}));
  }
  return out;
}

export interface PrintedMark {
  series: string;
  run_id: string;
  metric: string;
  stat: string;
  /** Where the printed statistic sits on the CDF's y axis: pNN → NN/100, median → 0.5; the mean has none. */
  p: number | null;
  ms: number;
  value: number;
  unit: string;
  line: number;
  source_sha256: string;
}

/** The run's printed summary statistics for the same metric, to check the samples against. */
export function printedMarks(rows: ResultRow[], samples: RequestSample[]): PrintedMark[] {
  const seriesOf = new Map(samples.map((s) => [`${s.run_id}\u0000${s.metric}`, s.series]));
  const out: PrintedMark[] = [];
  for (const r of rows) {
    if ((r.scope ?? "run") !== "run" || r.value === null || r.status !== "ok" || r.result_extra?.derived_from) continue;
    const series = seriesOf.get(`${r.run_id}\u0000${r.metric}`);
    if (!series) continue;
    const ms = toMs(r.value, r.unit);
    if (ms === null) continue;
    const pct = /^p(\d+(?:\.\d+)?)$/.exec(r.stat);
    const p = r.stat === "median" ? 0.5 : pct ? Number(pct[1]) / 100 : null;
    if (p === null && r.stat !== "mean") continue;
    out.push({
      series,
      run_id: r.run_id,
      metric: r.metric,
      stat: r.stat,
      p,
      ms,
      value: r.value,
      unit: r.unit,
      line: r.line,
      source_sha256: r.source_sha256
    });
  }
  return out;
}

export interface DistributionOptions {
  metric: string;
  mode?: "cdf" | "histogram";
  marks?: PrintedMark[];
  /** The page's colours (servingColors). */
  colors?: {domain: string[]; range: string[]};
  width?: number;
  height?: number;
}

/** Per-request samples of one metric: an empirical CDF (printed percentiles as rings) or a histogram. */
export function requestDistributionPlot(
  samples: RequestSample[],
  {metric, mode = "cdf", marks = [], colors, width = 640, height = 320}: DistributionOptions
): SVGSVGElement | HTMLElement {
  const data = samples.filter((s) => s.metric === metric);
  const label = `${metric.toUpperCase()} (ms)`;
  const color = {
    legend: true,
    type: "categorical",
    ...colorsFor(
      colors ?? seriesColors(data, {by: "runtime"}),
      data.map((s) => s.series)
    )
  } as Plot.ScaleOptions;
  if (mode === "histogram") {
    return Plot.plot({
      width,
      height,
      x: {label, grid: true},
      y: {label: "requests", grid: true},
      color,
      marks: [
        Plot.rectY(
          data,
          Plot.binX({y: "count"}, {x: "ms", fill: "series", fillOpacity: 0.6, mixBlendMode: "normal"} as any)
        ),
        Plot.ruleY([0])
      ]
    });
  }
  const points = cdfPoints(data);
  const printed = marks.filter((m) => m.metric === metric && m.p !== null);
  return Plot.plot({
    width,
    height,
    x: {label, grid: true},
    y: {label: "share of requests ≤ x", domain: [0, 1], tickFormat: "%", grid: true},
    color,
    marks: [
      Plot.line(points, {x: "ms", y: "p", stroke: "series", curve: "step-after"}),
      Plot.dot(points, {
        x: "ms",
        y: "p",
        fill: "series",
        r: 2,
        href: (p: CdfPoint) => sourceHref(p.source_sha256, p.line)
      }),
      Plot.dot(printed, {
        x: "ms",
        y: "p",
        stroke: "series",
        r: 6,
        strokeWidth: 1.5,
        symbol: "circle",
        href: (m: PrintedMark) => sourceHref(m.source_sha256, m.line),
        title: (m: PrintedMark) =>
          valueTitle(m.series, {value: m.value, unit: m.unit, stat: m.stat, metric: m.metric, line: m.line}, [
            "as the run printed it"
          ])
      }),
      Plot.tip(
        points,
        Plot.pointer({
          x: "ms",
          y: "p",
          title: (p: CdfPoint) =>
            valueTitle(
              p.series,
              {
                value: p.value,
                unit: p.unit,
                metric: p.metric,
                stat: `request ${p.request ?? "?"}${p.seq !== null ? `, gap ${p.seq}` : ""}`,
                line: p.line
              },
              [`${(p.p * 100).toFixed(1)}% of ${p.n} requests ≤ this`]
            )
        })
      )
    ]
  });
}

export function sampleTableRows(samples: RequestSample[]): Record<string, string | number | null>[] {
  return samples.map((s) => ({
    series: s.series,
    run: s.run_id,
    request: s.request,
    seq: s.seq,
    metric: s.metric,
    value: s.value,
    unit: s.unit,
    source: `${s.source_sha256}:${s.line}`
  }));
}

export const SAMPLE_TABLE_COLUMNS = ["series", "run", "request", "seq", "metric", "value", "unit", "source"];

export function sampleTable(samples: RequestSample[], depth = 0): HTMLElement {
  type Row = RequestSample;
  return Inputs.table(samples, {
    columns: ["run_id", "request", "seq", "metric", "value", "unit", "line"],
    header: {
      run_id: "run",
      request: "request",
      seq: "gap",
      metric: "metric",
      value: "value",
      unit: "unit",
      line: "raw line"
    },
    format: {
      run_id: (id: string) => runLink(id, depth),
      line: (_: number, i: number, data: Row[]) =>
        sourceLink(data[i].source_sha256, data[i].line, `line ${data[i].line}`, depth)
    },
    rows: 12,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}
