/** Context decay: throughput against context depth per series, absolute or as a share of depth 0, ±1 sd. */
import * as Plot from "@observablehq/plot";
import * as aq from "../shared/arquero.js";
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import {
  ERROR_BAR,
  endLabels,
  fmt3,
  linkLegend,
  logTicks,
  seriesColors,
  shortLabels,
  valueTicks,
  yMargin,
  type SeriesFacts
} from "../shared/chart.js";
import type {ResultRow} from "../shared/data.js";
import {EFFICIENCY_COLUMNS, limitRate, limitShare, limitText} from "../shared/efficiency.js";
import {formatPercent, formatPm, leftOutCounts, measuredReason, rawLineCell, sourceHref} from "../shared/format.js";

/**
 * The columns decayPoints and decayLeftOut read: a page loads these (pageResults) and no fewer.
 * `extra` holds a bench capture's cell, which joins a plan's one-run-per-depth sweep into one curve.
 */
export const DECAY_COLUMNS = [
  "run_id",
  "source_sha256",
  "line",
  "text",
  "tool",
  "runtime",
  "hardware",
  "backend",
  "model",
  "model_label",
  "quant",
  "build_commit",
  "split_mode",
  "settings",
  "varied_settings",
  "extra",
  "tags",
  "test",
  "kind",
  "n_prompt",
  "n_gen",
  "n_depth",
  "metric",
  "stat",
  "scope",
  "value",
  "stddev",
  "stddev_kind",
  "status",
  ...EFFICIENCY_COLUMNS
];

export interface DecayPoint extends SeriesFacts {
  series: string;
  run_id: string;
  source_sha256: string;
  line: number;
  test: string;
  n_depth: number;
  value: number;
  stddev: number | null;
  stddev_kind: string | null;
  /** value / value at depth 0 of the same series (null when the series has no depth 0). */
  retention: number | null;
  /** 1 sd of the retention, propagated from both stddevs (first order). */
  retention_sd: number | null;
  text: string | null;
  /** Share of the hardware's limit at this depth (docs/efficiency.md): bandwidth for tg, compute for pp; null when unknown. */
  limit_share: number | null;
  /** The throughput (tok/s) that limit allows at this depth. */
  limit: number | null;
  /** `79.8% of 1008 GB/s (NVIDIA GeForce RTX 4090)`. */
  limit_text: string;
}

/**
 * A `benchbook bench` cell holds one depth, so a plan's depth sweep is one run
 * per depth: its curve is the plan's cell without the depth. The cell label
 * (`model · -fa 1 · d8192`) names the plan's settings; null for other runs.
 */
function benchCurve(row: ResultRow): {id: string; settings: string[]} | null {
  const capture = (row.extra as {capture?: {cell_label?: string; plan?: {sha256?: string} | null}} | null | undefined)
    ?.capture;
  const parts = capture?.cell_label?.split(" · ");
  if (!parts || !capture?.plan?.sha256 || !/^d\d+$/.test(parts[parts.length - 1] ?? "")) return null;
  const settings = parts.slice(1, -1);
  return {id: `${capture.plan.sha256}|${parts.slice(0, -1).join(" · ")}`, settings};
}

/** What distinguishes one curve from another: the run (or bench plan cell) and the settings that vary within it. */
export function seriesLabel(row: ResultRow): string {
  const parts = [row.model_label ?? row.model ?? "?", row.hardware ?? row.backend ?? "?"];
  if (row.runtime && row.runtime !== "llama.cpp") parts.push(row.runtime);
  if (row.split_mode) parts.push(`sm ${row.split_mode}`);
  // Settings that differ between the results of one run (a `-ub 128,256` sweep) split it into curves.
  for (const key of (row.varied_settings as string[] | undefined) ?? []) parts.push(`${key} ${row.settings?.[key]}`);
  // …and so do the settings a bench plan swept, one cell each.
  parts.push(...(benchCurve(row)?.settings ?? []));
  return parts.join(" · ");
}

/** Throughput means of one test kind, grouped into series with depth-0 retention. */
export function decayPoints(rows: ResultRow[], kind: "pp" | "tg"): DecayPoint[] {
  const selected = rows.filter(
    (r) =>
      r.kind === kind &&
      r.metric === "throughput" &&
      r.stat === "mean" &&
      (r.scope ?? "run") === "run" &&
      r.status === "ok" &&
      r.value !== null &&
      r.n_depth !== null
  );
  // One curve per run (or bench plan cell) and test size (pp512 and pp2048 are different curves).
  const sizeOf = (row: ResultRow) => (kind === "pp" ? row.n_prompt : row.n_gen);
  const groups = aq.groupRows(
    selected,
    (row) => `${benchCurve(row)?.id ?? row.run_id}\u0000${sizeOf(row)}\u0000${seriesLabel(row)}`
  );
  // Two runs with identical labels stay apart.
  const labels = groups.map((group) => `${seriesLabel(group[0])} · ${kind}${sizeOf(group[0])}`);
  const seen = aq.occurrences(labels);
  const points: DecayPoint[] = [];
  for (const [g, group] of groups.entries()) {
    const series = seen[g].nth > 1 ? `${labels[g]} (#${seen[g].nth})` : labels[g];
    const base = group.find((r) => r.n_depth === 0);
    for (const row of group.sort((a, b) => (a.n_depth ?? 0) - (b.n_depth ?? 0))) {
      const retention = base ? row.value! / base.value! : null;
      const rel = (v: number, s: number | null) => (s === null ? null : s / v);
      const relRow = rel(row.value!, row.stddev);
      const relBase = base ? rel(base.value!, base.stddev) : null;
      points.push({
        series,
        run_id: row.run_id,
        source_sha256: row.source_sha256,
        line: row.line,
        test: row.test,
        n_depth: row.n_depth!,
        value: row.value!,
        stddev: row.stddev,
        stddev_kind: row.stddev_kind ?? null,
        retention,
        retention_sd:
          retention !== null && relRow !== null && relBase !== null
            ? retention * Math.hypot(relRow, row === base ? 0 : relBase)
            : null,
        text: row.text ?? null,
        limit_share: limitShare(row),
        limit: limitRate(row),
        limit_text: limitText(row),
        runtime: row.runtime ?? null,
        hardware: row.hardware ?? null,
        quant: row.quant ?? null,
        build: row.build_commit ?? null
      });
    }
  }
  return points;
}

/** Why a row of the page is not on its charts (null: it is drawn). */
function leftOutReason(row: ResultRow): string | null {
  return (
    measuredReason(row, {kinds: ["pp", "tg"]}) ?? (row.n_depth === null ? "they do not state a context depth" : null)
  );
}

/** The rows the charts leave out, counted by reason, most first. */
export function decayLeftOut(rows: ResultRow[]): {reason: string; n: number}[] {
  return leftOutCounts(rows, leftOutReason);
}

/** The series of some points, longest curves first (the order seriesPicker offers them in). */
export function decaySeries(points: DecayPoint[]): string[] {
  if (!points.length) return [];
  return aq
    .table({series: points.map((p) => p.series)})
    .groupby("series")
    .count()
    .orderby(aq.desc("count"), "series")
    .array("series") as string[];
}

/** How far above the highest value a limit may sit and still set the axis (else it is left off it). */
const LIMIT_HEADROOM = 2.5;

export interface DecayPlotOptions {
  mode?: "absolute" | "retention";
  /** Symmetric-log depth axis, for sweeps from 0 to very deep contexts. */
  logDepth?: boolean;
  width?: number;
  height?: number;
}

/**
 * Throughput (from zero) or retention (around 100%) against depth: one line per series, coloured
 * by runtime, machine or quantization (shared/chart.ts), labelled at its end with what tells it
 * from the others; the parts all share are the chart's subtitle (`aria-description`).
 */
export function decayPlot(
  points: DecayPoint[],
  {mode = "absolute", logDepth = false, width = 640, height = 360}: DecayPlotOptions = {}
): SVGSVGElement | HTMLElement {
  const retention = mode === "retention";
  const data = retention ? points.filter((p) => p.retention !== null) : points;
  const y = (p: DecayPoint) => (retention ? p.retention! * 100 : p.value);
  const sd = (p: DecayPoint) => (retention ? (p.retention_sd === null ? null : p.retention_sd * 100) : p.stddev);
  const bars = data.filter((p) => sd(p) !== null && sd(p)! > 0);
  // The limit at each depth where it is known: what the devices' peak allows (absolute values only).
  const limits = retention ? [] : data.filter((p) => p.limit !== null);
  const dataTop = Math.max(retention ? 100 : 0, ...data.map((p) => y(p) + (sd(p) ?? 0)));
  // Limits far above the values (a GPU's FP16 peak over a small model's prompt speed) would flatten
  // every curve into the x axis: the axis then stops at the values and says the limits are above it.
  const limitTop = Math.max(0, ...limits.map((p) => p.limit!));
  const above = limitTop > dataTop * LIMIT_HEADROOM;
  const top = above ? dataTop : Math.max(dataTop, limitTop);
  const {labels, common} = shortLabels(decaySeries(data));
  const marginTop = 24;
  const marginBottom = 36;
  const ends = endLabels(data, {
    x: (p) => p.n_depth,
    y,
    z: (p) => p.series,
    text: (p) => labels.get(p.series)!,
    fill: (p) => p.series,
    domain: [0, top * 1.05],
    height,
    marginTop,
    marginBottom
  });
  const depths = data.map((p) => p.n_depth);
  const maxDepth = Math.max(0, ...depths);
  const ticks = logDepth ? [0, ...logTicks(1024, maxDepth).filter((t) => t >= 1024)] : valueTicks(depths);
  const color = seriesColors(data);
  const chart = Plot.plot({
    width,
    height,
    marginTop,
    marginBottom,
    marginLeft: yMargin(top),
    marginRight: Math.min(width / 2.5, ends.margin),
    x: {
      label: "context depth (tokens)",
      type: logDepth ? "symlog" : "linear",
      // Depth 0 sits off the y axis, so a limit's diamond there is drawn whole.
      inset: 8,
      constant: 1024,
      grid: true,
      ticks,
      tickFormat: (d: number) => d.toLocaleString("en-US")
    } as Plot.ScaleOptions,
    y: {
      label: retention ? "% of depth-0 throughput" : "throughput (tok/s)",
      grid: true,
      zero: true,
      domain: [0, top * 1.05]
    },
    color: {type: "categorical", domain: color.domain, range: color.range},
    marks: [
      retention ? Plot.ruleY([100], {stroke: "currentColor", strokeOpacity: 0.3}) : null,
      Plot.ruleX(bars, {
        x: "n_depth",
        y1: (p: DecayPoint) => y(p) - sd(p)!,
        y2: (p: DecayPoint) => y(p) + sd(p)!,
        stroke: "series",
        ...ERROR_BAR
      }),
      Plot.line(limits, {
        x: "n_depth",
        y: "limit",
        stroke: "series",
        z: "series",
        strokeDasharray: "4,3",
        strokeOpacity: 0.8,
        clip: true,
        ariaDescription: "limit-line"
      }),
      Plot.dot(limits, {
        x: "n_depth",
        y: "limit",
        stroke: "series",
        fill: "none",
        r: 4,
        symbol: "diamond",
        clip: true,
        title: (p: DecayPoint) => `${p.series}\n${p.test}: limit ${Math.round(p.limit!)} tok/s (${p.limit_text})`,
        ariaDescription: "limit"
      }),
      Plot.line(data, {x: "n_depth", y, stroke: "series", z: "series", strokeWidth: 1.75}),
      Plot.dot(data, {
        x: "n_depth",
        y,
        fill: "series",
        r: 2.5,
        href: (p: DecayPoint) => sourceHref(p.source_sha256, p.line)
      }),
      ends.mark,
      Plot.tip(
        data,
        Plot.pointer({
          x: "n_depth",
          y,
          title: (p: DecayPoint) =>
            `${p.series}\n${p.test}: ${formatPm(p.value, p.stddev)} tok/s${p.stddev_kind ? ` (${p.stddev_kind} sd)` : ""}${p.retention !== null ? `\n${formatPercent(p.retention)} of depth 0` : ""}${p.limit_text ? `\n${p.limit_text}` : ""}\nraw line ${p.line}`
        })
      )
    ]
  });
  const subtitle = [
    common,
    above
      ? `hardware limits above the chart (up to ${fmt3(limitTop)} tok/s) left off the axis; "% of limit" in the table`
      : ""
  ]
    .filter(Boolean)
    .join(" · ");
  if (subtitle) chart.dataset.subtitle = subtitle;
  chart.dataset.series = String(color.domain.length);
  return linkLegend(chart);
}

/** Plain rows for downloads: values as stored, retention as a ratio, the raw input and line. */
export function decayTableRows(points: DecayPoint[]): Record<string, string | number | null>[] {
  return points.map((p) => ({
    series: p.series,
    test: p.test,
    n_depth: p.n_depth,
    value: p.value,
    stddev: p.stddev,
    retention: p.retention,
    limit_share: p.limit_share,
    limit: p.limit,
    source: `${p.source_sha256}:${p.line}`
  }));
}

/** The numbers behind a chart, each linked to the raw line it was read from. */
export function decayTable(points: DecayPoint[]): HTMLElement {
  const rows = points.map((p) => ({...p, source: p.line}));
  type Row = (typeof rows)[number];
  return Inputs.table(rows, {
    columns: ["series", "test", "n_depth", "value", "retention", "limit_share", "source"],
    header: {
      series: "series",
      test: "test",
      n_depth: "depth",
      value: "t/s (mean ± sd)",
      retention: "% of depth 0",
      limit_share: "% of limit",
      source: "raw line"
    },
    format: {
      value: (_: number, i: number, data: Row[]) => formatPm(data[i].value, data[i].stddev),
      retention: (r: number, i: number, data: Row[]) =>
        `${formatPercent(r)}${data[i].retention_sd !== null ? ` ± ${formatPercent(data[i].retention_sd)}` : ""}`,
      limit_share: (_: number | null, i: number, data: Row[]) =>
        data[i].limit_share === null
          ? "—"
          : html`<span title=${`${data[i].limit_text}; limit ${Math.round(data[i].limit!)} tok/s`}>${formatPercent(data[i].limit_share)}</span>`,
      source: rawLineCell
    },
    sort: "series",
    rows: 16,
    layout: "auto"
  } as any) as HTMLElement;
}
