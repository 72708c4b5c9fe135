/**
 * Speculative decoding: acceptance and throughput over time from server-log series, and bands per configuration
 * (measured solid, hand-entered hatched). "Acceptance length" means different things per source: SPEC_NOTE says so.
 */
import * as Plot from "@observablehq/plot";
import * as Inputs from "@observablehq/inputs";
import {integerTicks, yMargin} from "../shared/chart.js";
import * as aq from "../shared/arquero.js";
import type {ResultRow} from "../shared/data.js";
import {leftOutCounts, runLink, sourceLink} from "../shared/format.js";
import {settingValue} from "../shared/rows.js";
import {compareMeans, formatRatio, type Comparison} from "../shared/statistics/uncertainty.js";

export const SPEC_NOTE =
  "Acceptance is not the same quantity everywhere: vLLM logs a mean per logging interval (and vllm bench serve a mean per benchmark run); SGLang's Decode batch lines a mean over the decode steps since the previous line; SGLang bench_serving's Accept length is the server's running average since it started (cumulative). Compare shapes within a runtime, not levels across runtimes.";

/** The time-series metrics drawn, with their axis label. Acceptance rates are put on a % axis. */
export const SPEC_METRICS: {metric: string; label: string}[] = [
  {metric: "throughput", label: "generation throughput (tok/s)"},
  {metric: "acceptance_length", label: "acceptance length (tokens per step)"},
  {metric: "acceptance_rate", label: "draft acceptance rate (%)"},
  {metric: "accepted_throughput", label: "accepted throughput (tok/s)"}
];

/** A value on the chart's axis: acceptance rates stored as a 0–1 ratio are shown in %. */
export function axisValue(metric: string, value: number, unit: string): number {
  return metric === "acceptance_rate" && unit === "ratio" ? value * 100 : value;
}

/** A configuration's name: a hand-entered run's own label, else runtime · model · quant · KV dtype · machine. */
export function configLabel(row: ResultRow): string {
  const label = row.extra?.label;
  if (typeof label === "string" && label) return label;
  const kv = settingValue(row.settings, KV_DTYPE_KEYS);
  const parts = [row.runtime ?? row.tool, row.model_label ?? row.model ?? "model not stated"];
  if (row.quant && !String(parts[1]).includes(row.quant)) parts.push(row.quant);
  if (kv !== undefined) parts.push(`KV ${kv}`);
  if (row.hardware) parts.push(row.hardware);
  return parts.join(" · ");
}

export interface SpecPoint {
  series: string;
  run_id: string;
  runtime: string | null;
  source_sha256: string;
  line: number;
  seq: number;
  time: string | null;
  metric: string;
  value: number;
  unit: string;
  /** Value on the chart's axis (ratios → %). */
  y: number;
  text: string | null;
}

function isPerPosition(row: ResultRow): boolean {
  return row.result_extra?.position !== undefined && row.result_extra?.position !== null;
}

/** Interval time series of the speculative metrics, per run (per-position rates left out). */
export function specSeries(rows: ResultRow[]): SpecPoint[] {
  const wanted = new Set(SPEC_METRICS.map((m) => m.metric));
  const runsWithSpec = new Set(
    rows
      .filter((r) => r.scope === "interval" && (r.metric === "acceptance_length" || r.metric === "acceptance_rate"))
      .map((r) => r.run_id)
  );
  return rows
    .filter(
      (r) =>
        r.scope === "interval" &&
        runsWithSpec.has(r.run_id) &&
        wanted.has(r.metric) &&
        r.seq !== null &&
        r.seq !== undefined &&
        r.value !== null &&
        r.status === "ok" &&
        !isPerPosition(r) &&
        (r.metric !== "throughput" || r.kind === "tg")
    )
    .map((r) => ({
      series: `${configLabel(r)} · run ${r.run_id}`,
      run_id: r.run_id,
      runtime: r.runtime ?? null,
      source_sha256: r.source_sha256,
      line: r.line,
      seq: r.seq as number,
      time: r.time ?? null,
      metric: r.metric,
      value: r.value!,
      unit: r.unit,
      y: axisValue(r.metric, r.value!, r.unit),
      text: r.text ?? null
    }))
    .sort((a, b) => a.series.localeCompare(b.series) || a.metric.localeCompare(b.metric) || a.seq - b.seq);
}

export function specTimePlot(
  points: SpecPoint[],
  {metric, width = 640, height = 220}: {metric: string; width?: number; height?: number}
): SVGSVGElement | HTMLElement {
  const data = points.filter((p) => p.metric === metric);
  const label = SPEC_METRICS.find((m) => m.metric === metric)?.label ?? metric;
  return Plot.plot({
    width,
    height,
    marginRight: 20,
    marginLeft: yMargin(Math.max(0, ...data.map((p) => p.y))),
    x: {
      label: "log line (order within the log)",
      grid: true,
      ticks: integerTicks(data.map((p) => p.seq)),
      tickFormat: "d"
    },
    // From zero: a change from 98 to 100 tok/s is small, and the chart says so.
    y: {label, grid: true, zero: true},
    color: {legend: true, type: "categorical"},
    marks: [
      Plot.line(data, {x: "seq", y: "y", stroke: "series"}),
      Plot.dot(data, {x: "seq", y: "y", fill: "series", r: 2.5}),
      Plot.tip(
        data,
        Plot.pointer({
          x: "seq",
          y: "y",
          title: (p: SpecPoint) =>
            `${p.series}\n#${p.seq}${p.time ? ` ${p.time}` : ""}: ${p.value} ${p.unit}\nline ${p.line}${p.text ? `: ${p.text}` : ""}`
        })
      )
    ]
  });
}

export interface SpecPair {
  series: string;
  run_id: string;
  seq: number;
  acceptance: number;
  acceptance_metric: string;
  throughput: number;
  line: number;
  source_sha256: string;
}

/** Acceptance and throughput printed for the same interval (same run and `seq`), paired. */
export function specPairs(points: SpecPoint[], acceptanceMetric = "acceptance_length"): SpecPair[] {
  const throughput = new Map(
    points.filter((p) => p.metric === "throughput").map((p) => [`${p.run_id}\u0000${p.seq}`, p])
  );
  const out: SpecPair[] = [];
  for (const p of points) {
    if (p.metric !== acceptanceMetric) continue;
    const t = throughput.get(`${p.run_id}\u0000${p.seq}`);
    if (t)
      out.push({
        series: p.series,
        run_id: p.run_id,
        seq: p.seq,
        acceptance: p.y,
        acceptance_metric: acceptanceMetric,
        throughput: t.value,
        line: p.line,
        source_sha256: p.source_sha256
      });
  }
  return out;
}

export function specScatterPlot(
  pairs: SpecPair[],
  {width = 640, height = 320}: {width?: number; height?: number} = {}
): SVGSVGElement | HTMLElement {
  const metric = pairs[0]?.acceptance_metric ?? "acceptance_length";
  return Plot.plot({
    width,
    height,
    marginLeft: yMargin(Math.max(0, ...pairs.map((p) => p.throughput))),
    x: {label: SPEC_METRICS.find((m) => m.metric === metric)?.label ?? metric, grid: true},
    y: {label: "generation throughput (tok/s)", grid: true, zero: true},
    color: {legend: true, type: "categorical"},
    marks: [
      Plot.dot(pairs, {x: "acceptance", y: "throughput", fill: "series", r: 3.5}),
      Plot.tip(
        pairs,
        Plot.pointer({
          x: "acceptance",
          y: "throughput",
          title: (p: SpecPair) => `${p.series}\n#${p.seq}: ${p.acceptance} → ${p.throughput} tok/s (line ${p.line})`
        })
      )
    ]
  });
}

export function specTableRows(points: SpecPoint[]): Record<string, string | number | null>[] {
  return points.map((p) => ({
    series: p.series,
    run: p.run_id,
    seq: p.seq,
    time: p.time,
    metric: p.metric,
    value: p.value,
    unit: p.unit,
    source: `${p.source_sha256}:${p.line}`
  }));
}
export const SPEC_TABLE_COLUMNS = ["series", "run", "seq", "time", "metric", "value", "unit", "source"];

export function specTable(points: SpecPoint[], depth = 0): HTMLElement {
  return Inputs.table(points, {
    columns: ["run_id", "seq", "metric", "value", "unit", "line"],
    header: {run_id: "run", seq: "#", metric: "metric", value: "value", unit: "unit", line: "raw line"},
    format: {
      run_id: (id: string) => runLink(id, depth),
      line: (_: number, i: number, data: SpecPoint[]) =>
        sourceLink(data[i].source_sha256, data[i].line, `line ${data[i].line}`, depth)
    },
    rows: 12,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}

/** Where a band's numbers come from. */
export type BandOrigin = "derived" | "hand-entered";

export interface Band {
  config: string;
  run_id: string;
  runtime: string | null;
  metric: string;
  unit: string;
  origin: BandOrigin;
  /** What the band is: "p25–p75 of n interval values" or the writer's word ("typical"). */
  what: string;
  low: number | null;
  high: number | null;
  /** A central value: the derived median, or a hand-entered typical/value. */
  mid: number | null;
  /** The highest value: the derived max, or a hand-entered peak. */
  peak: number | null;
  approximate: boolean;
  /** Raw lines of each figure. */
  lines: {stat: string; line: number; text: string | null}[];
  source_sha256: string;
}

/**
 * Typical bands per configuration and metric: benchbook's derived summaries
 * (stat range_low/range_high/median/max with `result_extra.derived_from`) and
 * hand-entered figures (range_low/range_high from a "90-100 tok/s" range, peak,
 * typical). Axis values as in the time series (ratios → %).
 */
export function specBands(rows: ResultRow[]): Band[] {
  const wanted = new Set(SPEC_METRICS.map((m) => m.metric));
  const bands = new Map<string, Band>();
  for (const r of rows) {
    if (
      !wanted.has(r.metric) ||
      (r.scope ?? "run") !== "run" ||
      r.value === null ||
      r.status !== "ok" ||
      isPerPosition(r)
    )
      continue;
    if (r.metric === "throughput" && r.kind !== "tg") continue;
    const hand = r.origin === "hand-entered";
    const derived = !hand && r.result_extra?.derived_from !== undefined;
    if (!hand && !derived) continue;
    if (hand && !["range_low", "range_high", "peak", "typical", "value", "max"].includes(r.stat)) continue;
    const origin: BandOrigin = hand ? "hand-entered" : "derived";
    // Hand-entered bands are per entry label: a run can state two bands of one metric ("95 tok/s前後" and "90-100").
    const key = [r.run_id, r.metric, origin].join("\u0000");
    let band = bands.get(key);
    if (!band) {
      band = {
        config: configLabel(r),
        run_id: r.run_id,
        runtime: r.runtime ?? null,
        metric: r.metric,
        unit: r.metric === "acceptance_rate" ? "%" : r.unit,
        origin,
        what: hand
          ? "stated by the writer"
          : `p25–p75 of ${r.result_extra?.n ?? "?"} ${r.result_extra?.derived_from ?? "interval"} values`,
        low: null,
        high: null,
        mid: null,
        peak: null,
        approximate: false,
        lines: [],
        source_sha256: r.source_sha256
      };
      bands.set(key, band);
    }
    const y = axisValue(r.metric, r.value, r.unit);
    if (r.stat === "range_low" && band.low === null) band.low = y;
    else if (r.stat === "range_high" && band.high === null) band.high = y;
    else if ((r.stat === "median" || r.stat === "typical" || r.stat === "value") && band.mid === null) band.mid = y;
    else if ((r.stat === "max" || r.stat === "peak") && band.peak === null) band.peak = y;
    else continue;
    if (r.result_extra?.approximate) band.approximate = true;
    band.lines.push({stat: r.stat, line: r.line, text: r.text ?? null});
  }
  return [...bands.values()].sort((a, b) => a.config.localeCompare(b.config) || a.origin.localeCompare(b.origin));
}

/**
 * The page's rows that neither the time series, the bands nor the KV chart show, counted by reason
 * (leftOutNote): a row is shown when a point, a band's line or a KV bar was drawn from it.
 */
export function specLeftOut(
  rows: ResultRow[],
  series: SpecPoint[],
  bands: Band[],
  kv: KvPoint[]
): {reason: string; n: number}[] {
  // A band draws some of a line's statistics: its figures are told apart by statistic too.
  const key = (run: string, line: number, metric: string, stat = "") => [run, line, metric, stat].join("\u0000");
  const shown = new Set([
    ...series.map((p) => key(p.run_id, p.line, p.metric)),
    ...bands.flatMap((b) => b.lines.map((l) => key(b.run_id, l.line, b.metric, l.stat))),
    ...kv.map((p) => key(p.run_id, p.line, "kv_capacity"))
  ]);
  const why = (r: ResultRow): string | null =>
    // Prompt throughput shares its log line (and statistic) with the generation figure a chart draws.
    r.metric === "throughput" && r.kind !== "tg"
      ? "they are prompt-processing throughput"
      : shown.has(
            key(r.run_id, r.line, r.metric, (r.scope ?? "run") === "run" && r.metric !== "kv_capacity" ? r.stat : "")
          )
        ? null
        : r.status !== "ok" || r.value === null
          ? "their test did not produce a value"
          : isPerPosition(r)
            ? "they are per-position acceptance figures (listed on their run's page)"
            : r.metric === "kv_capacity"
              ? `they are in ${r.unit} (the KV chart draws tokens)`
              : r.scope === "interval"
                ? "their run logged no acceptance figures to set them against"
                : r.origin === "hand-entered"
                  ? `they are hand-entered ${r.stat} figures, which the bands do not draw`
                  : r.result_extra?.derived_from !== undefined
                    ? `they are ${r.stat} values of a run's intervals (a band draws the quartiles, median and peak)`
                    : "they are a run's summary figures, not derived from its intervals, which the bands do not draw";
  return leftOutCounts(rows, why);
}

/** A band's row label: hand-entered runs by their own label, measured ones by configuration and run. */
export function bandName(b: Band): string {
  return b.origin === "hand-entered" ? `${b.config} (hand-entered)` : `${b.config} · run ${b.run_id}`;
}

export function bandPlot(
  bands: Band[],
  {metric, width = 640}: {metric: string; width?: number}
): SVGSVGElement | HTMLElement {
  const data = bands.filter((b) => b.metric === metric);
  const label = SPEC_METRICS.find((m) => m.metric === metric)?.label ?? metric;
  const ranged = data.filter((b) => b.low !== null && b.high !== null);
  const name = bandName;
  const rows = [...new Set(data.map(name))];
  const rowHeight = 48;
  return Plot.plot({
    width,
    height: 50 + rowHeight * Math.max(1, rows.length),
    marginLeft: 10,
    marginRight: 20,
    marginTop: 24,
    x: {label, grid: true},
    y: {label: null, axis: null, domain: rows, padding: 0.6},
    color: {
      domain: ["derived", "hand-entered"],
      range: ["var(--theme-foreground-focus)", "currentColor"],
      legend: true,
      tickFormat: (d: string) =>
        d === "derived"
          ? "measured (derived from the log: p25–p75, median ▮, max ●)"
          : "hand-entered (writer's stated range ▭, typical ▮, peak ○)"
    },
    marks: [
      // Each configuration's name above its band (long names do not fit in a margin).
      Plot.text(rows, {
        y: (d: string) => d,
        text: (d: string) => d,
        frameAnchor: "left",
        dy: -17,
        fontSize: 11,
        lineWidth: (width - 40) / 11,
        textOverflow: "ellipsis-middle"
      } as any),
      // Measured bands: solid. Hand-entered: hollow with a dashed outline, so they are never read as measurements.
      Plot.barX(
        ranged.filter((b) => b.origin === "derived"),
        {x1: "low", x2: "high", y: name, fill: "origin", fillOpacity: 0.45}
      ),
      Plot.barX(
        ranged.filter((b) => b.origin === "hand-entered"),
        {x1: "low", x2: "high", y: name, stroke: "origin", strokeDasharray: "4,3", strokeWidth: 1.5, fill: "none"}
      ),
      Plot.tickX(
        data.filter((b) => b.mid !== null),
        {x: "mid", y: name, stroke: "origin", strokeWidth: 3}
      ),
      Plot.dot(
        data.filter((b) => b.peak !== null),
        {
          x: "peak",
          y: name,
          r: 4.5,
          fill: (b: Band) => (b.origin === "derived" ? b.origin : "none"),
          stroke: "origin",
          strokeWidth: 1.5
        }
      ),
      Plot.tip(
        data,
        Plot.pointer({
          x: (b: Band) => b.high ?? b.peak ?? b.mid,
          y: name,
          title: (b: Band) =>
            `${b.config}\n${b.origin === "hand-entered" ? "hand-entered" : "measured, derived"}: ${b.what}${b.approximate ? " (approximate)" : ""}\n${b.low !== null ? `band ${b.low}–${b.high} ${b.unit}\n` : ""}${b.mid !== null ? `typical/median ${b.mid}\n` : ""}${b.peak !== null ? `peak/max ${b.peak}\n` : ""}run ${b.run_id}, lines ${b.lines.map((l) => l.line).join(", ")}`
        })
      )
    ]
  });
}

export function bandTableRows(bands: Band[]): Record<string, string | number | boolean | null>[] {
  return bands.map((b) => ({
    config: b.config,
    run: b.run_id,
    metric: b.metric,
    origin: b.origin,
    what: b.what,
    low: b.low,
    high: b.high,
    mid: b.mid,
    peak: b.peak,
    unit: b.unit,
    approximate: b.approximate,
    source: `${b.source_sha256}:${b.lines.map((l) => l.line).join(",")}`
  }));
}
export const BAND_TABLE_COLUMNS = [
  "config",
  "run",
  "metric",
  "origin",
  "what",
  "low",
  "high",
  "mid",
  "peak",
  "unit",
  "approximate",
  "source"
];

export function bandTable(bands: Band[], depth = 0): HTMLElement {
  return Inputs.table(bands, {
    columns: ["config", "run_id", "metric", "origin", "low", "high", "mid", "peak", "unit", "lines"],
    width: {config: 260, run_id: 130},
    header: {
      config: "configuration",
      run_id: "run",
      metric: "metric",
      origin: "origin",
      low: "low",
      high: "high",
      mid: "median / typical",
      peak: "max / peak",
      unit: "unit",
      lines: "raw lines"
    },
    format: {
      run_id: (id: string) => runLink(id, depth),
      origin: (o: string, i: number, data: Band[]) =>
        `${o === "hand-entered" ? "hand-entered" : "measured (derived)"}${data[i].approximate ? ", approximate" : ""}`,
      lines: (_: unknown, i: number, data: Band[]) => {
        const span = document.createElement("span");
        data[i].lines.forEach((l, j) => {
          if (j) span.append(", ");
          span.append(sourceLink(data[i].source_sha256, l.line, String(l.line), depth));
        });
        return span;
      }
    },
    rows: 12,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}

// ─── KV cache capacity ─────────────────────────────────────────────────────

/*
 * KV cache capacity (tokens) against the KV cache dtype, per runtime; a run that states no dtype is "not
 * stated", hand-entered capacities are hollow. A capacity is one printed number: kvRatios has no interval.
 */
/** Setting names that carry the KV cache dtype, after normalizing dashes (`--kv-cache-dtype` → kv_cache_dtype). */
export const KV_DTYPE_KEYS = ["kv_cache_dtype", "cache_type_k", "type_k", "ctk"];

/**
 * A dtype family for grouping, from the name as printed: `torch.float8_e4m3fn`,
 * `fp8_e4m3`, `fp8` → FP8; `torch.bfloat16`, `bf16` → BF16; `f16`, `float16`,
 * `half` → F16; `auto` stays `auto` (the model's dtype); llama.cpp types
 * (`q8_0`, `q4_0`) upper-cased.
 */
export function dtypeFamily(dtype: unknown): string {
  if (dtype === undefined || dtype === null || dtype === "") return "not stated";
  const d = String(dtype)
    .toLowerCase()
    .replace(/^torch\./, "");
  if (/^(fp8|float8)/.test(d)) return "FP8";
  if (/^(bf16|bfloat16)$/.test(d)) return "BF16";
  if (/^(f16|fp16|float16|half)$/.test(d)) return "F16";
  if (/^(f32|fp32|float32|float)$/.test(d)) return "F32";
  if (/^(fp4|nvfp4|float4)/.test(d)) return "FP4";
  if (d === "auto") return "auto";
  return d.toUpperCase();
}

export interface KvPoint {
  runtime: string;
  group: string;
  /** `full`, `swa`, `total` (SGLang's pools) or `all` (one pool). */
  pool: string;
  dtype: string | null;
  family: string;
  value: number;
  unit: string;
  origin: string;
  run_id: string;
  line: number;
  source_sha256: string;
  text: string | null;
  test: string;
}

/** What a capacity is compared within: runtime, model and machine — or a hand-entered run's own label. */
export function kvGroup(row: ResultRow): string {
  const label = row.origin === "hand-entered" && typeof row.extra?.label === "string" ? ` · ${row.extra.label}` : "";
  return `${[row.runtime ?? row.tool, row.model_label ?? row.model ?? "model not stated", row.hardware ?? "machine not stated"].join(" · ")}${label}`;
}

function poolOf(row: ResultRow): string {
  const pool = row.result_extra?.pool;
  if (typeof pool === "string") return pool;
  // SGLang's `max_total_num_tokens` equals the full-layer pool when a sliding-window pool exists.
  return row.test === "max_total_num_tokens" ? "total" : "all";
}

/** KV capacities in tokens (other units — blocks, hand-typed "K tokens" — are left out: the axis is tokens). */
export function kvPoints(rows: ResultRow[]): KvPoint[] {
  return rows
    .filter((r) => r.metric === "kv_capacity" && r.unit === "tokens" && r.value !== null && r.status === "ok")
    .map((r) => {
      const dtype = settingValue(r.settings, KV_DTYPE_KEYS);
      return {
        runtime: r.runtime ?? r.tool,
        group: kvGroup(r),
        pool: poolOf(r),
        dtype: dtype === undefined || dtype === null ? null : String(dtype),
        family: dtypeFamily(dtype),
        value: r.value!,
        unit: r.unit,
        origin: r.origin ?? "measured",
        run_id: r.run_id,
        line: r.line,
        source_sha256: r.source_sha256,
        text: r.text ?? null,
        test: r.test
      };
    })
    .sort(
      (a, b) =>
        a.group.localeCompare(b.group) ||
        a.pool.localeCompare(b.pool) ||
        a.family.localeCompare(b.family) ||
        a.value - b.value
    );
}

const POOL_LABEL: Record<string, string> = {
  full: "full-layer tokens",
  swa: "SWA-layer tokens",
  total: "max_total_num_tokens",
  all: "tokens"
};

/** A bar's row within its group: the dtype family, and the run when a group has several of one family. */
function barKey(points: KvPoint[]): (p: KvPoint) => string {
  const cell = (p: KvPoint) => `${p.group}\u0000${p.pool}\u0000${p.family}`;
  const count = aq.countValues(points.map(cell));
  return (p) => (count.get(cell(p))! > 1 ? `${p.family} · run ${p.run_id}` : p.family);
}

export function kvPlot(points: KvPoint[], {width = 640}: {width?: number} = {}): SVGSVGElement | HTMLElement {
  const label = (p: KvPoint) => `${p.group} · ${POOL_LABEL[p.pool] ?? p.pool}`;
  const key = barKey(points);
  const families = [...new Set(points.map((p) => p.family))].sort();
  const facets = [...new Set(points.map(label))];
  const perFacet = Math.max(1, ...facets.map((f) => new Set(points.filter((p) => label(p) === f).map(key)).size));
  const facetHeight = 30 + 16 * perFacet;
  return Plot.plot({
    width,
    height: 40 + facets.length * facetHeight,
    marginLeft: 10,
    marginTop: 24,
    marginRight: 190,
    x: {label: "KV cache capacity (tokens)", grid: true, tickFormat: "~s"},
    y: {label: null, axis: null},
    fy: {label: null, axis: null, domain: facets, padding: 26 / facetHeight},
    color: {legend: true, domain: families, type: "categorical"},
    marks: [
      // Each group's name above its bars (long names do not fit in a margin).
      Plot.text(facets, {
        fy: (d: string) => d,
        text: (d: string) => d,
        frameAnchor: "top-left",
        dy: -16,
        fontSize: 11,
        lineWidth: (width - 30) / 11,
        textOverflow: "ellipsis-middle"
      } as any),
      Plot.barX(
        points.filter((p) => p.origin !== "hand-entered"),
        {x1: 0, x2: "value", y: key, fy: label, fill: "family", insetTop: 2, insetBottom: 2}
      ),
      // Hand-entered values: outline only, never mistaken for a measurement.
      Plot.barX(
        points.filter((p) => p.origin === "hand-entered"),
        {
          x1: 0,
          x2: "value",
          y: key,
          fy: label,
          stroke: "family",
          strokeDasharray: "4,3",
          fill: "none",
          insetTop: 2,
          insetBottom: 2
        }
      ),
      Plot.text(points, {
        x: "value",
        y: key,
        fy: label,
        text: (p: KvPoint) => `${key(p)}${p.origin === "hand-entered" ? " (hand-entered)" : ""}: ${p.value}`,
        dx: 4,
        textAnchor: "start",
        fontSize: 10
      }),
      Plot.tip(
        points,
        Plot.pointer({
          x: "value",
          y: key,
          fy: label,
          title: (p: KvPoint) =>
            `${p.group}\n${POOL_LABEL[p.pool] ?? p.pool}, KV ${p.dtype ?? "dtype not stated"} (${p.origin})\n${p.value} tokens — run ${p.run_id}, line ${p.line}`
        })
      )
    ]
  });
}

export interface KvRatio {
  group: string;
  pool: string;
  /** Baseline and compared dtype family (b ÷ a). */
  a: KvPoint;
  b: KvPoint;
  comparison: Comparison;
}

/**
 * Ratios between dtypes of the same runtime, model, machine and pool, each
 * dtype against the widest one present (BF16/F16/F32 before FP8/FP4/quantized):
 * the capacity gained by a narrower KV cache. Measured values only.
 */
export function kvRatios(points: KvPoint[]): KvRatio[] {
  const WIDTH: Record<string, number> = {F32: 0, BF16: 1, F16: 1, auto: 2};
  const measured = points.filter((p) => p.origin !== "hand-entered" && p.family !== "not stated");
  const out: KvRatio[] = [];
  for (const group of aq.groupRows(measured, (p) => `${p.group}\u0000${p.pool}`)) {
    const families = [...new Set(group.map((p) => p.family))].sort(
      (x, y) => (WIDTH[x] ?? 9) - (WIDTH[y] ?? 9) || x.localeCompare(y)
    );
    if (families.length < 2) continue;
    const base = group.find((p) => p.family === families[0])!;
    for (const family of families.slice(1)) {
      const other = group.find((p) => p.family === family)!;
      const comparison = compareMeans(
        {value: base.value, stddev: null, stddev_kind: null, repetitions: null},
        {value: other.value, stddev: null, stddev_kind: null, repetitions: null}
      );
      out.push({group: base.group, pool: base.pool, a: base, b: other, comparison});
    }
  }
  return out;
}

/** "FP8 KV holds 2.00× the tokens of BF16 KV (139515 vs 69757 full-layer tokens; …)". */
export function ratioSentence(r: KvRatio): string {
  return `${r.group}: ${r.b.family} KV holds ${formatRatio(r.comparison)} the ${POOL_LABEL[r.pool] ?? "tokens"} of ${r.a.family} KV (${r.b.value} vs ${r.a.value}; ratio computed from the two printed capacities — ${r.comparison.note}).`;
}

export function kvTableRows(points: KvPoint[]): Record<string, string | number | null>[] {
  return points.map((p) => ({
    runtime: p.runtime,
    group: p.group,
    pool: p.pool,
    kv_dtype: p.dtype,
    family: p.family,
    value: p.value,
    unit: p.unit,
    origin: p.origin,
    run: p.run_id,
    source: `${p.source_sha256}:${p.line}`
  }));
}
export const KV_TABLE_COLUMNS = [
  "runtime",
  "group",
  "pool",
  "kv_dtype",
  "family",
  "value",
  "unit",
  "origin",
  "run",
  "source"
];

export function kvTable(points: KvPoint[], depth = 0): HTMLElement {
  return Inputs.table(points, {
    columns: ["group", "pool", "dtype", "value", "origin", "run_id", "line"],
    width: {group: 260, run_id: 130},
    header: {
      group: "runtime · model · machine",
      pool: "pool",
      dtype: "KV dtype (as stated)",
      value: "tokens",
      origin: "origin",
      run_id: "run",
      line: "raw line"
    },
    format: {
      dtype: (d: string | null) => d ?? "not stated",
      run_id: (id: string) => runLink(id, depth),
      line: (_: number, i: number, data: KvPoint[]) =>
        sourceLink(data[i].source_sha256, data[i].line, `line ${data[i].line}`, depth)
    },
    rows: 12,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}
