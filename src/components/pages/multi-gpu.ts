/**
 * Multi-GPU split modes (`--split-mode layer | row | tensor | none`): throughput and speedup over layer split.
 * Runs are compared only when all else is equal; an unstated split mode is left out, not assumed `layer`.
 */
import * as Plot from "@observablehq/plot";
import type {ResultRow} from "../shared/data.js";
import {ERROR_BAR, linkLegend, ratioLabel, seriesColors, valueTitle, yMargin} from "../shared/chart.js";
import {comparedColumns, comparisonTable, type MeasuredPoint} from "../shared/comparison-table.js";
import {leftOutCounts, measuredReason, sourceHref} from "../shared/format.js";
import * as aq from "../shared/arquero.js";
import {cmp, measuredOf, testLabel, type SdSource} from "../shared/rows.js";
import {compareMeans, formatChange, formatRatio, type Comparison} from "../shared/statistics/uncertainty.js";

export interface SplitPoint extends MeasuredPoint {
  /** Machine · model (· the other settings, where two groups of one model differ in them). */
  group: string;
  hardware: string;
  model_label: string;
  gpu_count: number | null;
  quant: string | null;
  runtime: string | null;
  test: string;
  kind: string;
  n_depth: number;
  mode: string;
  text: string | null;
  /** The reference mode of this group (layer) and this point's speedup over it (ratio = this / reference). */
  reference: string | null;
  comparison: Comparison | null;
}

const MODE_ORDER = ["none", "layer", "row", "tensor"];
const modeRank = (m: string) => (MODE_ORDER.includes(m) ? MODE_ORDER.indexOf(m) : MODE_ORDER.length);

/** Every setting but the split mode, as a stable text (two runs are comparable when it is equal). */
function otherSettings(row: ResultRow): string {
  const settings = {...((row.settings as Record<string, unknown>) ?? {})};
  delete settings.split_mode;
  return JSON.stringify(
    Object.keys(settings)
      .sort()
      .map((k) => [k, settings[k]])
  );
}

/** Throughput means of runs whose split mode is stated, grouped by everything else, with speedups over `reference`. */
export function splitPoints(
  rows: ResultRow[],
  {reference = "layer", metric = "throughput", stat = "mean"}: {reference?: string; metric?: string; stat?: string} = {}
): SplitPoint[] {
  const selected = rows.filter(
    (r) =>
      r.metric === metric &&
      r.stat === stat &&
      r.status === "ok" &&
      r.value !== null &&
      r.split_mode &&
      (r.scope ?? "run") === "run"
  );
  const keyOf = (r: ResultRow) =>
    [r.hardware ?? "", r.model_label ?? r.model ?? "", r.tool ?? "", r.runtime ?? "", otherSettings(r)].join("\u0000");
  const groups = aq
    .groupRows(selected, keyOf)
    .filter((group) => new Set(group.map((r) => String(r.split_mode))).size > 1);
  // Label: machine · model, plus a counter where one model has several comparable groups.
  const labels = groups.map(
    (group) => `${group[0].model_label ?? group[0].model ?? "?"} · ${group[0].hardware || "hardware not stated"}`
  );
  const seen = aq.occurrences(labels);
  const refOf = groups.map((group) => (group.some((r) => String(r.split_mode) === reference) ? reference : null));
  const refs = aq.referencesWithin(groups, testLabel, (r, g) => String(r.split_mode) === refOf[g]);
  const points: SplitPoint[] = [];
  for (const [g, group] of groups.entries()) {
    const label = seen[g].nth > 1 ? `${labels[g]} (settings #${seen[g].nth})` : labels[g];
    const ref = refOf[g];
    for (const [i, r] of group.entries()) {
      const m = measuredOf(r);
      const base = refs[g][i];
      const isRef = String(r.split_mode) === ref;
      points.push({
        group: label,
        hardware: r.hardware || "hardware not stated",
        model_label: String(r.model_label ?? r.model ?? "?"),
        gpu_count: r.gpu_count ?? null,
        quant: r.quant ?? null,
        runtime: r.runtime ?? null,
        test: testLabel(r),
        kind: r.kind,
        n_depth: r.n_depth ?? 0,
        mode: String(r.split_mode),
        value: r.value!,
        stddev: m.stddev,
        stddev_kind: m.stddev_kind,
        repetitions: m.repetitions,
        sd_source: m.sd_source,
        unit: r.unit,
        run_id: r.run_id,
        source_sha256: r.source_sha256,
        line: r.line,
        text: r.text ?? null,
        reference: ref,
        comparison: base && !isRef ? compareMeans(measuredOf(base), m) : null
      });
    }
  }
  return points.sort(
    (a, b) =>
      cmp(a.group, b.group) ||
      cmp(a.kind, b.kind) ||
      a.n_depth - b.n_depth ||
      cmp(a.test, b.test) ||
      modeRank(a.mode) - modeRank(b.mode)
  );
}

/** The page's rows its split-mode charts leave out, counted by reason (pass the points drawn). */
export function splitLeftOut(
  rows: ResultRow[],
  drawn: SplitPoint[],
  {metric = "throughput", stat = "mean"}: {metric?: string; stat?: string} = {}
): {reason: string; n: number}[] {
  const why = (r: ResultRow) => measuredReason(r, {metric, stat, needs: [["split_mode", "a split mode"]]});
  return leftOutCounts(rows, why, {
    drawn: drawn.length,
    reason: "no other split mode was measured with the same model, machine and settings"
  });
}

const tests = (points: SplitPoint[]) => [
  ...new Set(
    [...points]
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.n_depth - b.n_depth || a.test.localeCompare(b.test))
      .map((p) => p.test)
  )
];
const modes = (points: SplitPoint[]) =>
  [...new Set(points.map((p) => p.mode))].sort((a, b) => modeRank(a) - modeRank(b) || a.localeCompare(b));

function title(p: SplitPoint): string {
  const kind = p.sd_source === "samples" ? "sample (computed from the printed samples)" : p.stddev_kind;
  const more = p.comparison
    ? [
        `${formatRatio(p.comparison)} of ${p.reference} (${formatChange(p.comparison)})${p.comparison.noise ? " — within noise" : ""}`,
        p.comparison.note
      ]
    : [];
  return valueTitle(
    `${p.group} · sm ${p.mode}`,
    {
      value: p.value,
      unit: p.unit,
      stddev: p.stddev,
      stddev_kind: kind,
      stat: "mean",
      repetitions: p.repetitions,
      test: p.test,
      line: p.line
    },
    more
  );
}

const href = (p: SplitPoint) => sourceHref(p.source_sha256, p.line);

/** Colours of the model · machine groups from the design system (by machine, model quantization or runtime, whichever tells them apart). */
function groupColors(points: SplitPoint[]): {domain: string[]; range: string[]} {
  const groups = [
    ...new Map(
      points.map((p) => [p.group, {series: p.group, hardware: p.hardware, quant: p.quant, runtime: p.runtime}])
    ).values()
  ].sort((a, b) => a.series.localeCompare(b.series));
  const {domain, range} = seriesColors(groups);
  return {domain, range};
}

/**
 * Speedup of each mode over layer split, per test (columns) and model
 * (colour), with its interval; the line at 1× is "no change", hollow dots are
 * within noise.
 */
export function splitSpeedupPlot(
  points: SplitPoint[],
  {width = 640, height = 300}: {width?: number; height?: number} = {}
): SVGSVGElement | HTMLElement {
  const compared = points.filter((p) => p.comparison);
  const multiMode = new Set(compared.map((p) => p.mode)).size > 1;
  const band = (p: SplitPoint) => (multiMode ? `${p.group} · ${p.mode}` : p.group);
  const bands = [...new Set(compared.map(band))].sort();
  const interval = compared.filter((p) => p.comparison!.low !== null);
  return linkLegend(
    Plot.plot({
      width,
      height,
      marginBottom: 36,
      fx: {label: null, domain: tests(compared), padding: 0.12},
      x: {axis: null, domain: bands, padding: 0.3},
      y: {
        label: `speedup over ${compared[0]?.reference ?? "layer"} split (×)`,
        grid: true,
        tickFormat: (d: number) => `${d}×`
      },
      color: {legend: true, type: "categorical", ...groupColors(compared)},
      symbol: multiMode ? {legend: true} : undefined,
      marks: [
        Plot.ruleY([1], {stroke: "currentColor", strokeOpacity: 0.5}),
        Plot.ruleX(interval, {
          fx: "test",
          x: band,
          y1: (p: SplitPoint) => p.comparison!.low!,
          y2: (p: SplitPoint) => p.comparison!.high!,
          stroke: "group",
          strokeWidth: 2
        }),
        Plot.dot(
          compared.filter((p) => !p.comparison!.noise),
          {
            fx: "test",
            x: band,
            y: (p: SplitPoint) => p.comparison!.ratio,
            fill: "group",
            symbol: multiMode ? "mode" : undefined,
            r: 4.5,
            title,
            href,
            ariaDescription: "speedup"
          }
        ),
        Plot.dot(
          compared.filter((p) => p.comparison!.noise),
          {
            fx: "test",
            x: band,
            y: (p: SplitPoint) => p.comparison!.ratio,
            stroke: "group",
            fill: "none",
            symbol: multiMode ? "mode" : undefined,
            r: 4.5,
            strokeWidth: 1.5,
            title,
            href,
            ariaDescription: "speedup-noise"
          }
        )
      ]
    })
  );
}

/** Throughput per mode (bars, ±1 sd), one row of panels per model, one panel per test. Pass one test kind. */
export function splitBarsPlot(points: SplitPoint[], {width = 640}: {width?: number} = {}): SVGSVGElement | HTMLElement {
  const groups = [...new Set(points.map((p) => p.group))].sort();
  const withSd = points.filter((p) => p.stddev !== null && p.stddev > 0);
  return linkLegend(
    Plot.plot({
      width,
      height: 60 + 170 * groups.length,
      marginBottom: 36,
      marginRight: 12,
      insetTop: 30,
      marginLeft: yMargin(Math.max(0, ...points.map((p) => p.value + (p.stddev ?? 0)))),
      fx: {label: null, domain: tests(points), padding: 0.12},
      fy: {label: null, domain: groups, axis: null},
      x: {axis: null, domain: modes(points), paddingInner: 0.1},
      y: {label: `${points[0]?.kind ?? ""} throughput (${points[0]?.unit ?? "tok/s"})`, grid: true},
      color: {legend: true, type: "categorical", domain: modes(points)},
      marks: [
        Plot.barY(points, {fx: "test", fy: "group", x: "mode", y: "value", fill: "mode", title, href}),
        Plot.ruleX(withSd, {
          fx: "test",
          fy: "group",
          x: "mode",
          y1: (p: SplitPoint) => p.value - p.stddev!,
          y2: (p: SplitPoint) => p.value + p.stddev!,
          stroke: "currentColor",
          ...ERROR_BAR
        }),
        Plot.text(
          points.filter((p) => p.comparison),
          {
            fx: "test",
            fy: "group",
            x: "mode",
            y: (p: SplitPoint) => p.value + (p.stddev ?? 0),
            text: (p: SplitPoint) => ratioLabel(p.comparison!),
            dy: -5,
            lineAnchor: "bottom",
            fontSize: 10,
            fill: "currentColor",
            stroke: "var(--theme-background, white)",
            strokeWidth: 3,
            paintOrder: "stroke"
          }
        ),
        // Each row of panels is one model: its name at the top left of the row.
        Plot.text(
          groups.map((group) => ({group, test: tests(points)[0]})),
          {
            fx: "test",
            fy: "group",
            text: "group",
            frameAnchor: "top-left",
            dx: 4,
            dy: 2,
            fontSize: 11,
            fontWeight: "bold",
            fill: "currentColor"
          }
        ),
        Plot.ruleY([0])
      ]
    })
  );
}

export const SPLIT_COLUMNS = [
  "group",
  "test",
  "mode",
  "value",
  "stddev",
  "stddev_kind",
  "reference",
  "speedup",
  "speedup_low",
  "speedup_high",
  "within_noise",
  "method",
  "source"
];

const compared = (p: SplitPoint) => ({...p, is_reference: p.mode === p.reference});

export function splitTableRows(points: SplitPoint[]): Record<string, string | number | boolean | null>[] {
  return points.map((p) => ({
    group: p.group,
    test: p.test,
    mode: p.mode,
    value: p.value,
    stddev: p.stddev,
    stddev_kind: p.sd_source === "samples" ? "sample (computed from samples)" : p.stddev_kind,
    reference: p.reference,
    ...comparedColumns(compared(p), "speedup")
  }));
}

export function splitTable(points: SplitPoint[]): HTMLElement {
  return comparisonTable(points.map(compared), {
    columns: {group: "model · machine", test: "test", mode: "split mode"},
    ratioHeader: "speedup over layer"
  });
}
