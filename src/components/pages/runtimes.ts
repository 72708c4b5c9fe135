/**
 * Runtime comparison: one model on one machine across runtimes, bars and ratios to a baseline runtime.
 * Also `modelFamily` and `measuredOf`, shared by the other comparison components.
 */
import * as Plot from "@observablehq/plot";
import * as Inputs from "@observablehq/inputs";
import type {ResultRow} from "../shared/data.js";
import {ERROR_BAR, linkLegend, ratioLabel, runtimeRank, seriesColors, yMargin} from "../shared/chart.js";
import {formatMeasured, leftOutCounts, measuredReason, rawLineCell} from "../shared/format.js";
import * as aq from "../shared/arquero.js";
import {cmp, measuredOf, modelFamily, testLabel, type SdSource} from "../shared/rows.js";
import {compareMeans, formatRatio, type Comparison, type Measured} from "../shared/statistics/uncertainty.js";

// ─── runtime bars ───────────────────────────────────────────────────────────

export type GroupBy = "family" | "model_label" | "model";

export interface RuntimeBar {
  /** `hardware · model` (the machine and the model key compared across runtimes). */
  group: string;
  hardware: string;
  model_key: string;
  /** Test label shared by the bars compared with each other. */
  test: string;
  test_order: [number, number, number];
  kind: string;
  n_depth: number | null;
  /** The runtime, plus what tells two bars of the same runtime apart (model file, tool, settings). */
  series: string;
  runtime: string;
  tool: string;
  model_label: string | null;
  run_id: string;
  source_sha256: string;
  line: number;
  text: string | null;
  /** The test as printed by the tool. */
  printed_test: string;
  value: number;
  stddev: number | null;
  stddev_kind: string | null;
  repetitions: number | null;
  sd_source: SdSource;
  metric: string;
  unit: string;
  stat: string;
  baseline: boolean;
  baseline_series: string | null;
  /** This bar vs the baseline series' bar of the same group and test (ratio = this / baseline). */
  comparison: Comparison | null;
}

export interface RuntimeBarOptions {
  groupBy?: GroupBy;
  /** Runtime whose bars the others are divided by; where a group lacks it, llama.cpp, else the first runtime. */
  baseline?: string | null;
  /** metric and stat compared (throughput means by default). */
  metric?: string;
  stat?: string;
  /**
   * Compare tests that differ only in context depth (mlx_lm.benchmark's tg runs
   * after its prompt: `tg64 @ d1024` against llama-bench's `tg64`). Where a
   * series has several depths of one test, depths stay apart.
   */
  matchDepth?: boolean;
  /** Leave out groups with fewer runtimes than this (before any ratio is computed: a page shows only comparisons). */
  minRuntimes?: number;
}

function modelKey(row: ResultRow, groupBy: GroupBy): string {
  if (groupBy === "family") return modelFamily(row);
  return String(row[groupBy] ?? row.model_label ?? row.model ?? "?");
}

function variedText(row: ResultRow): string {
  return ((row.varied_settings as string[] | undefined) ?? []).map((k) => `${k} ${row.settings?.[k]}`).join(" · ");
}

/** Bars for every (machine, model, test, runtime variant), with ratios to the baseline runtime. */
export function runtimeBars(
  rows: ResultRow[],
  {
    groupBy = "family",
    baseline = "llama.cpp",
    metric = "throughput",
    stat = "mean",
    matchDepth = true,
    minRuntimes = 1
  }: RuntimeBarOptions = {}
): RuntimeBar[] {
  const selected = rows.filter(
    (r) =>
      r.metric === metric &&
      r.stat === stat &&
      r.status === "ok" &&
      r.value !== null &&
      r.runtime &&
      (r.scope ?? "run") === "run"
  );
  type Draft = Omit<RuntimeBar, "series" | "baseline" | "baseline_series" | "comparison"> & {
    variant: string;
    row: ResultRow;
  };
  const drafts: Draft[] = selected.map((row) => {
    const hardware = row.hardware || "hardware not stated";
    const key = modelKey(row, groupBy);
    const m = measuredOf(row);
    const size =
      row.kind === "pp" ? row.n_prompt : row.kind === "tg" ? row.n_gen : (row.n_prompt ?? 0) + (row.n_gen ?? 0);
    return {
      group: `${hardware} · ${key}`,
      hardware,
      model_key: key,
      test: testLabel(row),
      test_order: [["pp", "tg", "pp+tg"].indexOf(row.kind) >>> 0, row.n_depth ?? 0, Number(size ?? 0)],
      kind: row.kind,
      n_depth: row.n_depth,
      runtime: String(row.runtime),
      tool: String(row.tool ?? "?"),
      model_label: row.model_label ?? null,
      run_id: row.run_id,
      source_sha256: row.source_sha256,
      line: row.line,
      text: row.text ?? null,
      printed_test: row.test,
      value: row.value!,
      stddev: m.stddev,
      stddev_kind: m.stddev_kind,
      repetitions: m.repetitions,
      sd_source: m.sd_source,
      metric: row.metric,
      unit: row.unit,
      stat: row.stat,
      variant: `${row.run_id}\u0000${variedText(row)}`,
      row
    };
  });

  // Tests that differ only in depth share a label where each variant has one depth of them.
  if (!matchDepth) {
    for (const cell of aq.groupRows(drafts, (d) => `${d.group}\u0000${testLabel(d.row, false)}`)) {
      const depths = new Set(cell.map((d) => d.n_depth ?? 0));
      const perVariant = aq.groupRows(cell, (d) => d.variant).map((list) => new Set(list.map((d) => d.n_depth ?? 0)));
      if (depths.size < 2 || perVariant.some((s) => s.size > 1)) continue;
      const label = `${testLabel(cell[0].row, false)} (${[...depths]
        .sort((a, b) => a - b)
        .map((x) => `d${x}`)
        .join(" / ")})`;
      for (const d of cell) {
        d.test = label;
        d.test_order = [d.test_order[0], Math.min(...depths), d.test_order[2]];
      }
    }
  }

  // Series labels: the runtime, plus what tells its variants apart within the group.
  const seriesOf = new Map<string, string>();
  for (const list of aq.groupRows(drafts, (d) => `${d.group}\u0000${d.runtime}`)) {
    const variants = [...new Map(list.map((d) => [d.variant, d])).values()];
    if (variants.length === 1) {
      seriesOf.set(variants[0].variant, variants[0].runtime);
      continue;
    }
    const distinct = (f: (d: Draft) => string) => new Set(variants.map(f)).size > 1;
    const parts: ((d: Draft) => string)[] = [];
    if (distinct((d) => d.model_label ?? "")) parts.push((d) => d.model_label ?? "?");
    if (distinct((d) => d.tool)) parts.push((d) => d.tool);
    if (distinct((d) => variedText(d.row))) parts.push((d) => variedText(d.row));
    const labels = variants.map((d) => [d.runtime, ...parts.map((p) => p(d))].filter(Boolean).join(" · "));
    // Variants that nothing printed tells apart are named by their run.
    const seen = aq.occurrences(labels);
    variants.forEach((v, i) => seriesOf.set(v.variant, seen[i].of > 1 ? `${labels[i]} · run ${v.run_id}` : labels[i]));
  }

  // Baseline per group: the chosen runtime, else llama.cpp, else the first runtime.
  const lists = aq
    .groupRows(drafts, (d) => d.group)
    .filter((list) => new Set(list.map((d) => d.runtime)).size >= minRuntimes);
  const baseSeries = lists.map((list) => {
    const runtimes = [...new Set(list.map((d) => d.runtime))].sort(
      (a, b) => runtimeRank(a) - runtimeRank(b) || a.localeCompare(b)
    );
    const base = baseline && runtimes.includes(baseline) ? baseline : runtimes[0];
    return [...new Set(list.filter((d) => d.runtime === base).map((d) => seriesOf.get(d.variant)!))].sort()[0];
  });
  const refs = aq.referencesWithin(
    lists,
    (d) => d.test,
    (d, g) => seriesOf.get(d.variant) === baseSeries[g]
  );
  const bars: RuntimeBar[] = [];
  for (const [g, list] of lists.entries()) {
    for (const [i, d] of list.entries()) {
      const series = seriesOf.get(d.variant)!;
      const ref = refs[g][i];
      const isBase = series === baseSeries[g];
      const {variant: _v, row: _r, ...rest} = d;
      bars.push({
        ...rest,
        series,
        baseline: isBase,
        baseline_series: baseSeries[g],
        comparison: ref && !isBase ? compareMeans(measuredOf(ref.row), measuredOf(d.row)) : null
      });
    }
  }
  return bars.sort(
    (a, b) =>
      cmp(a.group, b.group) ||
      a.test_order[0] - b.test_order[0] ||
      a.test_order[1] - b.test_order[1] ||
      a.test_order[2] - b.test_order[2] ||
      runtimeRank(a.runtime) - runtimeRank(b.runtime) ||
      cmp(a.series, b.series)
  );
}

/** The page's rows its bars leave out, counted by reason (pass the options and the bars drawn). */
export function runtimeLeftOut(
  rows: ResultRow[],
  {metric = "throughput", stat = "mean"}: RuntimeBarOptions,
  drawn: RuntimeBar[]
): {reason: string; n: number}[] {
  const why = (r: ResultRow) => measuredReason(r, {metric, stat, statChosen: true, needs: [["runtime", "a runtime"]]});
  return leftOutCounts(rows, why, {
    drawn: drawn.length,
    reason: "their model was measured with one runtime only on that machine"
  });
}

export interface RuntimeGroup {
  label: string;
  hardware: string;
  model_key: string;
  runtimes: string[];
  baseline_series: string | null;
  bars: RuntimeBar[];
}

/** Groups with at least `minRuntimes` runtimes (a comparison needs two). */
export function runtimeGroups(bars: RuntimeBar[], {minRuntimes = 2}: {minRuntimes?: number} = {}): RuntimeGroup[] {
  return aq
    .groupRows(bars, (b) => b.group)
    .map((list) => ({
      label: list[0].group,
      hardware: list[0].hardware,
      model_key: list[0].model_key,
      runtimes: [...new Set(list.map((b) => b.runtime))].sort(
        (a, b) => runtimeRank(a) - runtimeRank(b) || a.localeCompare(b)
      ),
      baseline_series: list[0].baseline_series,
      bars: list
    }))
    .filter((g) => g.runtimes.length >= minRuntimes);
}

// ─── charts ─────────────────────────────────────────────────────────────────

const testDomain = (bars: RuntimeBar[]) => [
  ...new Map(
    [...bars]
      .sort(
        (a, b) =>
          a.test_order[0] - b.test_order[0] || a.test_order[1] - b.test_order[1] || a.test_order[2] - b.test_order[2]
      )
      .map((b) => [b.test, b])
  ).keys()
];
/** The colours of some of the series (the ratio chart leaves out the baseline but keeps every colour). */
const pick = (c: {domain: string[]; range: string[]}, keep: string[]) => ({
  domain: c.domain.filter((s) => keep.includes(s)),
  range: c.range.filter((_, i) => keep.includes(c.domain[i]))
});

/** Colours by runtime (shared/chart.ts): the same runtime the same colour on every chart, variants in shades. */
const runtimeColors = (bars: RuntimeBar[]) => {
  const order = seriesDomain(bars);
  const facts = new Map(bars.map((b) => [b.series, {series: b.series, runtime: b.runtime, hardware: b.hardware}]));
  return seriesColors(
    order.map((s) => facts.get(s)!),
    {by: "runtime"}
  );
};
const seriesDomain = (bars: RuntimeBar[]) =>
  [...new Map(bars.map((b) => [b.series, b])).values()]
    .sort((a, b) => runtimeRank(a.runtime) - runtimeRank(b.runtime) || a.series.localeCompare(b.series))
    .map((b) => b.series);

/** `pp2048 @ d8192` on two lines, so neighbouring panels' labels do not run into each other. */
const wrapTest = (t: string) => t.replace(" @ ", "\n@ ");

function barTitle(b: RuntimeBar): string {
  const lines = [
    `${b.series}`,
    `${b.printed_test}: ${formatMeasured({value: b.value, stddev: b.stddev, stddev_kind: b.stddev_kind, repetitions: b.repetitions, sd_source: b.sd_source})} ${b.unit}${b.stddev_kind ? ` (${b.stddev_kind} sd)` : ""}`
  ];
  if (b.comparison)
    lines.push(
      `${formatRatio(b.comparison)} of ${b.baseline_series}${b.comparison.noise ? " — within noise" : ""}`,
      b.comparison.note
    );
  if (b.baseline) lines.push("baseline");
  return lines.join("\n");
}

export interface RuntimePlotOptions {
  width?: number;
  height?: number;
}

/**
 * Grouped bars for one group (and, typically, one test kind: pp and tg differ
 * by orders of magnitude): one cluster per test, one bar per runtime variant,
 * ±1 sd error bars, and the ratio to the baseline above each other bar.
 */
export function runtimePlot(
  bars: RuntimeBar[],
  {width = 640, height = 320}: RuntimePlotOptions = {}
): SVGSVGElement | HTMLElement {
  const withSd = bars.filter((b) => b.stddev !== null && b.stddev > 0);
  const top = (b: RuntimeBar) => b.value + (b.stddev ?? 0);
  const unit = bars[0]?.unit ?? "";
  return linkLegend(
    Plot.plot({
      width,
      height,
      marginTop: 36,
      marginBottom: 36,
      marginLeft: yMargin(Math.max(0, ...bars.map(top))),
      fx: {label: null, domain: testDomain(bars), padding: 0.15, tickFormat: wrapTest},
      x: {axis: null, domain: seriesDomain(bars), paddingInner: 0.08},
      y: {
        label: `${bars[0]?.stat && bars[0].stat !== "mean" ? `${bars[0].stat} ` : ""}${bars[0]?.metric ?? ""} (${unit})`,
        grid: true
      },
      color: {legend: true, type: "categorical", ...runtimeColors(bars)},
      marks: [
        Plot.barY(bars, {fx: "test", x: "series", y: "value", fill: "series", title: barTitle}),
        Plot.ruleX(withSd, {
          fx: "test",
          x: "series",
          y1: (b: RuntimeBar) => b.value - b.stddev!,
          y2: top,
          stroke: "currentColor",
          ...ERROR_BAR
        }),
        Plot.text(
          bars.filter((b) => b.comparison),
          {
            fx: "test",
            x: "series",
            y: top,
            text: (b: RuntimeBar) => ratioLabel(b.comparison!),
            dy: -6,
            lineAnchor: "bottom",
            fontSize: 9,
            fill: "currentColor",
            stroke: "var(--theme-background, white)",
            strokeWidth: 3,
            paintOrder: "stroke"
          }
        ),
        Plot.ruleY([0])
      ]
    })
  );
}

/**
 * Each non-baseline bar's ratio to the baseline, with its interval (95%
 * Welch where repetitions are known, else ±1 sd propagated). Hollow dots:
 * within noise.
 */
export function runtimeRatioPlot(
  bars: RuntimeBar[],
  {width = 640, height = 260}: RuntimePlotOptions = {}
): SVGSVGElement | HTMLElement {
  const compared = bars.filter((b) => b.comparison);
  const domain = seriesDomain(compared);
  const tests = testDomain(compared);
  const interval = compared.filter((b) => b.comparison!.low !== null);
  return linkLegend(
    Plot.plot({
      width,
      height,
      marginBottom: 36,
      fx: {label: null, domain: tests, padding: 0.15, tickFormat: wrapTest},
      x: {axis: null, domain, padding: 0.3},
      y: {
        label: `ratio to ${compared[0]?.baseline_series ?? "baseline"} (×)`,
        grid: true,
        tickFormat: (d: number) => `${d}×`
      },
      color: {legend: true, type: "categorical", ...pick(runtimeColors(bars), domain)},
      marks: [
        Plot.ruleY([1], {stroke: "currentColor", strokeOpacity: 0.5}),
        Plot.ruleX(interval, {
          fx: "test",
          x: "series",
          y1: (b: RuntimeBar) => b.comparison!.low!,
          y2: (b: RuntimeBar) => b.comparison!.high!,
          stroke: "series",
          strokeWidth: 2
        }),
        Plot.dot(
          compared.filter((b) => !b.comparison!.noise),
          {
            fx: "test",
            x: "series",
            y: (b: RuntimeBar) => b.comparison!.ratio,
            fill: "series",
            r: 4,
            title: barTitle,
            ariaDescription: "ratio"
          }
        ),
        Plot.dot(
          compared.filter((b) => b.comparison!.noise),
          {
            fx: "test",
            x: "series",
            y: (b: RuntimeBar) => b.comparison!.ratio,
            stroke: "series",
            fill: "none",
            r: 4,
            strokeWidth: 1.5,
            title: barTitle,
            ariaDescription: "ratio-noise"
          }
        )
      ]
    })
  );
}

// ─── table ──────────────────────────────────────────────────────────────────

export const RUNTIME_COLUMNS = [
  "group",
  "test",
  "series",
  "model_label",
  "printed_test",
  "value",
  "stddev",
  "stddev_kind",
  "repetitions",
  "ratio",
  "ratio_low",
  "ratio_high",
  "within_noise",
  "method",
  "source"
];

/** Plain rows for downloads: values as stored, ratios as computed, the raw input and line. */
export function runtimeTableRows(bars: RuntimeBar[]): Record<string, string | number | boolean | null>[] {
  return bars.map((b) => ({
    group: b.group,
    test: b.test,
    series: b.series,
    model_label: b.model_label,
    printed_test: b.printed_test,
    value: b.value,
    stddev: b.stddev,
    stddev_kind: b.sd_source === "samples" ? "sample (computed from samples)" : b.stddev_kind,
    repetitions: b.repetitions,
    ratio: b.comparison?.ratio ?? (b.baseline ? 1 : null),
    ratio_low: b.comparison?.low ?? null,
    ratio_high: b.comparison?.high ?? null,
    within_noise: b.comparison?.noise ?? null,
    method: b.comparison?.method ?? (b.baseline ? "baseline" : null),
    source: `${b.source_sha256}:${b.line}`
  }));
}

/** The bars as a table: value ± sd as printed, ratio to the baseline with its interval, link to the raw line. */
export function runtimeTable(bars: RuntimeBar[]): HTMLElement {
  const rows = bars.map((b, i) => ({
    ...b,
    i,
    ratio: b.comparison?.ratio ?? null,
    noise: b.comparison?.noise ?? null,
    source: b.line
  }));
  type Row = (typeof rows)[number];
  return Inputs.table(rows, {
    columns: ["group", "test", "series", "model_label", "value", "repetitions", "ratio", "noise", "source"],
    header: {
      group: "machine · model",
      test: "test",
      series: "runtime",
      model_label: "model file",
      value: "value (± sd)",
      repetitions: "n",
      ratio: "ratio to baseline",
      noise: "within noise",
      source: "raw line"
    },
    format: {
      value: (_: number, i: number, data: Row[]) =>
        `${formatMeasured({value: data[i].value, stddev: data[i].stddev, stddev_kind: data[i].stddev_kind, repetitions: data[i].repetitions, sd_source: data[i].sd_source})} ${data[i].unit}`,
      repetitions: (n: number | null) => (n === null ? "—" : String(n)),
      ratio: (_: number, i: number, data: Row[]) =>
        data[i].comparison ? formatRatio(data[i].comparison!) : data[i].baseline ? "baseline" : "—",
      noise: (n: boolean | null) => (n === null ? "—" : n ? "≈ yes" : "no"),
      source: rawLineCell
    },
    rows: 16,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}
