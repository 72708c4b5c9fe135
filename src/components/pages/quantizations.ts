/**
 * Quantization: size against throughput with the Pareto frontier, and each model family's quant ladder.
 * Sizes are converted to GiB for the axis only (labelled so); tables show them as printed.
 */
import * as Plot from "@observablehq/plot";
import * as Inputs from "@observablehq/inputs";
import type {ResultRow} from "../shared/data.js";
import {limitShare, limitText} from "../shared/efficiency.js";
import {ERROR_BAR, fmt3, logMargin, logScale, seriesColors, yMargin} from "../shared/chart.js";
import {comparedColumns, comparisonTable, type MeasuredPoint} from "../shared/comparison-table.js";
import {
  formatMeasured,
  formatPercent,
  leftOutCounts,
  measuredCell,
  measuredReason,
  rawLineCell,
  sourceHref
} from "../shared/format.js";
import * as aq from "../shared/arquero.js";
import {cmp, measuredOf, modelFamily, testLabel, type SdSource} from "../shared/rows.js";
import {compareMeans, formatRatio, type Comparison} from "../shared/statistics/uncertainty.js";

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40
};

/** A row's model size: as printed, and in GiB for plotting (null when no size is known). */
export function modelSize(row: Record<string, any>): {text: string; gib: number; converted: boolean} | null {
  if (row.size_bytes !== null && row.size_bytes !== undefined)
    return {text: `${row.size_bytes} B`, gib: Number(row.size_bytes) / 2 ** 30, converted: true};
  if (row.size_value === null || row.size_value === undefined || !row.size_unit) return null;
  const unit = String(row.size_unit);
  const factor = UNIT_BYTES[unit.toUpperCase()];
  if (!factor) return null;
  return {text: `${row.size_value} ${unit}`, gib: (row.size_value * factor) / 2 ** 30, converted: unit !== "GiB"};
}

export interface QuantPoint extends MeasuredPoint {
  hardware: string;
  family: string;
  model_label: string;
  quant: string;
  /** What else distinguishes the run (runtime other than llama.cpp, split mode, swept settings); frontiers compare equal setups only. */
  setup: string;
  /** Every setting of the run (the test's sizes aside), for keeping runs with other settings off one ladder. */
  settings: Record<string, unknown>;
  test: string;
  kind: string;
  n_depth: number;
  size_text: string;
  size_gib: number;
  size_converted: boolean;
  /** On the Pareto frontier of its machine and test. */
  frontier: boolean;
  /** Bytes read per generated token (tg) and the devices' peak bandwidth (docs/efficiency.md), when known. */
  bytes_per_token: number | null;
  peak_bw_gbs: number | null;
  peak_device: string | null;
  /** Share of the hardware's limit (bandwidth for tg, compute for pp), and its text. */
  limit_share: number | null;
  limit_text: string;
}

export interface QuantOptions {
  /** Test kind: pp or tg. */
  kind?: string;
  /** Context depth to compare at (null: every depth, each its own test). */
  depth?: number | null;
}

function baseRows(rows: ResultRow[], {kind, depth = 0}: QuantOptions): ResultRow[] {
  return rows.filter(
    (r) =>
      r.metric === "throughput" &&
      r.stat === "mean" &&
      r.status === "ok" &&
      r.value !== null &&
      (r.scope ?? "run") === "run" &&
      (kind ? r.kind === kind : r.kind === "pp" || r.kind === "tg") &&
      (depth === null || (r.n_depth ?? 0) === depth)
  );
}

/** Runtime (when not llama.cpp), split mode and the settings a run varied: what must match for two quants to be compared. */
export function setupLabel(row: ResultRow): string {
  const parts: string[] = [];
  if (row.runtime && row.runtime !== "llama.cpp") parts.push(String(row.runtime));
  if (row.split_mode) parts.push(`sm ${row.split_mode}`);
  for (const key of (row.varied_settings as string[] | undefined) ?? [])
    if (key !== "split_mode") parts.push(`${key} ${row.settings?.[key]}`);
  return parts.join(" · ");
}

/** Settings that name the test, not the configuration. */
const TEST_SETTINGS = new Set(["n_prompt", "n_gen", "n_depth", "repetitions"]);

function point(row: ResultRow, size: NonNullable<ReturnType<typeof modelSize>>): QuantPoint {
  const m = measuredOf(row);
  return {
    hardware: row.hardware || "hardware not stated",
    family: modelFamily(row),
    model_label: String(row.model_label ?? row.model ?? "?"),
    quant: String(row.quant ?? row.ftype ?? row.model_label ?? "?"),
    setup: setupLabel(row),
    settings: Object.fromEntries(
      Object.entries((row.settings as Record<string, unknown> | null) ?? {}).filter(([k]) => !TEST_SETTINGS.has(k))
    ),
    test: testLabel(row),
    kind: row.kind,
    n_depth: row.n_depth ?? 0,
    size_text: size.text,
    size_gib: size.gib,
    size_converted: size.converted,
    value: row.value!,
    stddev: m.stddev,
    stddev_kind: m.stddev_kind,
    repetitions: m.repetitions,
    sd_source: m.sd_source,
    unit: row.unit,
    run_id: row.run_id,
    source_sha256: row.source_sha256,
    line: row.line,
    frontier: false,
    bytes_per_token: typeof row.bytes_per_token === "number" ? row.bytes_per_token : null,
    peak_bw_gbs: typeof row.peak_bw_gbs === "number" ? row.peak_bw_gbs : null,
    peak_device: row.peak_device ?? null,
    limit_share: limitShare(row),
    limit_text: limitText(row)
  };
}

/** Marks the points no other point of the same machine, test and setup dominates (size ≤ and value ≥, one strictly). */
export function markFrontier(points: QuantPoint[]): QuantPoint[] {
  for (const group of aq.groupRows(points, (p) => `${p.hardware}\u0000${p.test}\u0000${p.setup}`)) {
    let best = -Infinity;
    for (const p of [...group].sort((a, b) => a.size_gib - b.size_gib || b.value - a.value)) {
      p.frontier = p.value > best;
      if (p.frontier) best = p.value;
    }
  }
  return points;
}

/** Throughput means with a known model size; `left_out` counts those without one. */
export function quantPoints(rows: ResultRow[], options: QuantOptions = {}): QuantPoint[] & {left_out: number} {
  const points: QuantPoint[] = [];
  let leftOut = 0;
  for (const row of baseRows(rows, options)) {
    const size = modelSize(row);
    if (size) points.push(point(row, size));
    else leftOut++;
  }
  markFrontier(points);
  points.sort((a, b) => cmp(a.hardware, b.hardware) || cmp(a.test, b.test) || a.size_gib - b.size_gib);
  return Object.assign(points, {left_out: leftOut});
}

/** The page's rows its size charts leave out at one depth, counted by reason. */
export function quantLeftOut(
  rows: ResultRow[],
  {depth = 0}: {depth?: number | null} = {}
): {reason: string; n: number}[] {
  const why = (r: ResultRow) =>
    measuredReason(r, {kinds: ["pp", "tg"]}) ??
    (depth !== null && (r.n_depth ?? 0) !== depth
      ? "they are at another context depth (choose it above)"
      : !modelSize(r)
        ? "their model size is not stated (e.g. measured through a server)"
        : null);
  return leftOutCounts(rows, why);
}

const pointTitle = (p: QuantPoint) =>
  `${p.model_label} (${p.hardware}${p.setup ? `, ${p.setup}` : ""})\n${p.test}: ${formatMeasured({value: p.value, stddev: p.stddev, stddev_kind: p.stddev_kind, repetitions: p.repetitions, sd_source: p.sd_source})} ${p.unit}\nsize ${p.size_text}${p.frontier ? "\non the Pareto frontier" : ""}${p.limit_text ? `\n${p.limit_text}` : ""}`;

/**
 * Size (x, GiB) against throughput (y, log scale: machines differ by orders of
 * magnitude), one colour per model family, ±1 sd error bars; the frontier of
 * each machine and test is a dashed step line, its points ringed and labelled.
 */
export function quantScatter(
  points: QuantPoint[],
  {width = 640, height = 380, logY = true}: {width?: number; height?: number; logY?: boolean} = {}
): SVGSVGElement | HTMLElement {
  const converted = points.some((p) => p.size_converted);
  const frontier = points.filter((p) => p.frontier).sort((a, b) => a.size_gib - b.size_gib);
  const withSd = points.filter((p) => p.stddev !== null && p.stddev > 0 && p.value - p.stddev > 0);
  // A frontier label is left off where a label already placed sits within a label's width and height
  // (two machines' Q8_0 and Q4_K_M side by side); its point's tooltip and the table still name it.
  const [xs, ys] = [points.map((p) => p.size_gib), points.map((p) => (logY ? Math.log10(p.value) : p.value))];
  const span = (v: number[]) => Math.max(...v) - Math.min(...v) || 1;
  const [xSpan, ySpan] = [span(xs), span(ys)];
  const labelled: QuantPoint[] = [];
  for (const p of frontier) {
    const y = logY ? Math.log10(p.value) : p.value;
    const near = (q: QuantPoint) =>
      Math.abs(q.size_gib - p.size_gib) / xSpan < 90 / width &&
      Math.abs((logY ? Math.log10(q.value) : q.value) - y) / ySpan < 14 / height;
    if (!labelled.some(near)) labelled.push(p);
  }
  return Plot.plot({
    width,
    height,
    marginRight: 90,
    x: {
      label: `model size (GiB${converted ? "; other units converted for plotting" : ""})`,
      grid: true,
      inset: 8
    },
    marginLeft: logY
      ? logMargin(points.map((p) => p.value))
      : yMargin(Math.max(0, ...points.map((p) => p.value + (p.stddev ?? 0)))),
    y: logY
      ? logScale(
          points.map((p) => p.value),
          {label: `${points[0]?.kind ?? ""} throughput (${points[0]?.unit ?? "tok/s"}, log scale)`}
        )
      : {label: `${points[0]?.kind ?? ""} throughput (${points[0]?.unit ?? "tok/s"})`, grid: true, zero: true},
    color: {legend: true, type: "categorical"},
    symbol: {legend: true},
    marks: [
      Plot.line(frontier, {
        x: "size_gib",
        y: "value",
        z: (p: QuantPoint) => `${p.hardware}\u0000${p.test}\u0000${p.setup}`,
        curve: "step-after",
        stroke: "currentColor",
        strokeOpacity: 0.6,
        strokeDasharray: "4,3"
      }),
      Plot.ruleX(withSd, {
        x: "size_gib",
        y1: (p: QuantPoint) => p.value - p.stddev!,
        y2: (p: QuantPoint) => p.value + p.stddev!,
        stroke: "family",
        ...ERROR_BAR
      }),
      Plot.dot(frontier, {
        x: "size_gib",
        y: "value",
        r: 7,
        stroke: "currentColor",
        fill: "none",
        strokeWidth: 1,
        ariaDescription: "frontier"
      }),
      Plot.dot(points, {
        x: "size_gib",
        y: "value",
        fill: "family",
        symbol: "hardware",
        r: 4,
        title: pointTitle,
        href: (p: QuantPoint) => sourceHref(p.source_sha256, p.line),
        ariaDescription: "quant"
      }),
      // Labels on the frontier only: elsewhere dots crowd (every point's label is in its tooltip and the table).
      Plot.text(labelled, {
        x: "size_gib",
        y: "value",
        text: "quant",
        dx: 10,
        textAnchor: "start",
        fontSize: 10,
        fill: "currentColor"
      })
    ]
  });
}

/**
 * Generation points whose bytes per token and hardware peak are known and that
 * have a bandwidth share: the points of bandwidthPlot.
 */
export function bandwidthPoints(points: QuantPoint[]): QuantPoint[] {
  return points.filter(
    (p) => p.kind === "tg" && p.bytes_per_token !== null && p.peak_bw_gbs !== null && p.limit_share !== null
  );
}

/**
 * tg throughput against bytes read per token (GB), with each machine's
 * bandwidth line: the throughput its peak bandwidth allows, peak ÷ bytes —
 * a point on the line would read memory at the peak rate.
 */
export function bandwidthPlot(
  points: QuantPoint[],
  {width = 640, height = 380, logY = true}: {width?: number; height?: number; logY?: boolean} = {}
): SVGSVGElement | HTMLElement {
  const gb = (p: QuantPoint) => p.bytes_per_token! / 1e9;
  const xs = points.map(gb);
  const [lo, hi] = [Math.min(...xs) * 0.7, Math.max(...xs) * 1.3];
  const peaks = [...new Map(points.map((p) => [`${p.peak_device}\u0000${p.peak_bw_gbs}`, p])).values()];
  // Each peak as a curve over the plotted range (log-spaced samples of peak / bytes).
  const lines = peaks.flatMap((p) =>
    Array.from({length: 41}, (_, i) => {
      const x = lo * (hi / lo) ** (i / 40);
      return {x, y: p.peak_bw_gbs! / x, peak: `${p.peak_device ?? p.hardware}: ${p.peak_bw_gbs} GB/s`};
    })
  );
  return Plot.plot({
    width,
    height,
    marginRight: 20,
    x: {label: "bytes read per generated token (GB)", grid: true, type: "log"},
    y: {label: "tg throughput (tok/s)", grid: true, type: logY ? "log" : "linear"},
    color: {legend: true, type: "categorical"},
    symbol: {legend: true},
    marks: [
      Plot.line(lines, {x: "x", y: "y", z: "peak", stroke: "currentColor", strokeOpacity: 0.5, strokeDasharray: "4,3"}),
      Plot.text(
        lines.filter((_, i) => i % 41 === 4),
        {x: "x", y: "y", text: "peak", dy: -8, textAnchor: "start", fontSize: 10, fill: "currentColor"}
      ),
      Plot.dot(points, {
        x: gb,
        y: "value",
        fill: "family",
        symbol: "hardware",
        r: 4,
        title: pointTitle,
        ariaDescription: "bandwidth"
      })
    ]
  });
}

export const QUANT_COLUMNS = [
  "hardware",
  "model_label",
  "quant",
  "setup",
  "size",
  "test",
  "value",
  "stddev",
  "stddev_kind",
  "frontier",
  "bytes_per_token",
  "limit_share",
  "source"
];

export function quantTableRows(points: QuantPoint[]): Record<string, string | number | boolean | null>[] {
  return points.map((p) => ({
    hardware: p.hardware,
    model_label: p.model_label,
    quant: p.quant,
    setup: p.setup,
    size: p.size_text,
    test: p.test,
    value: p.value,
    stddev: p.stddev,
    stddev_kind: p.sd_source === "samples" ? "sample (computed from samples)" : p.stddev_kind,
    frontier: p.frontier,
    bytes_per_token: p.bytes_per_token,
    limit_share: p.limit_share,
    source: `${p.source_sha256}:${p.line}`
  }));
}

export function quantTable(points: QuantPoint[]): HTMLElement {
  const rows = points.map((p) => ({...p, source: p.line}));
  type Row = (typeof rows)[number];
  return Inputs.table(rows, {
    columns: [
      "hardware",
      "model_label",
      "quant",
      "setup",
      "size_text",
      "test",
      "value",
      "frontier",
      "limit_share",
      "source"
    ],
    header: {
      hardware: "machine",
      model_label: "model",
      quant: "quant",
      setup: "setup",
      size_text: "size (as printed)",
      test: "test",
      value: "t/s (mean ± sd)",
      frontier: "Pareto frontier",
      limit_share: "% of limit",
      source: "raw line"
    },
    format: {
      value: measuredCell,
      frontier: (f: boolean) => (f ? "yes" : ""),
      limit_share: (v: number | null) => (v === null ? "—" : formatPercent(v)),
      source: rawLineCell
    },
    rows: 16,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}

// ─── quant ladder ───────────────────────────────────────────────────────────

export interface Rung extends QuantPoint {
  /** The ladder's reference: the largest quant of the family on this machine. */
  reference: string;
  is_reference: boolean;
  /** This quant vs the reference quant on the same test (ratio = this / reference). */
  comparison: Comparison | null;
}

export interface Ladder {
  label: string;
  hardware: string;
  family: string;
  reference: string;
  rungs: Rung[];
}

/** Families with at least two quants measured on the same machine and test (pp and tg). */
export function quantLadders(rows: ResultRow[], {depth = 0}: {depth?: number | null} = {}): Ladder[] {
  const points = quantPoints(rows, {depth});
  // One ladder per machine, family and configuration: a bench plan's `-fa 0` and `-fa 1` cells are two ladders.
  const configOf = (p: QuantPoint) => JSON.stringify(Object.entries(p.settings).sort(([a], [b]) => cmp(a, b)));
  const groups = aq.groupRows(points, (p) => `${p.hardware}\u0000${p.family}\u0000${p.setup}\u0000${configOf(p)}`);
  // What tells the ladders of one machine and family apart goes into their labels.
  const siblingKey = (group: QuantPoint[]) => `${group[0].hardware}\u0000${group[0].family}\u0000${group[0].setup}`;
  const siblings = new Map(aq.groupRows(groups, siblingKey).map((list) => [siblingKey(list[0]), list]));
  const differing = (group: QuantPoint[]) => {
    const others = siblings.get(siblingKey(group))!;
    const keys = [...new Set(others.flatMap((g) => Object.keys(g[0].settings)))].sort(cmp);
    return keys
      .filter((k) => new Set(others.map((g) => JSON.stringify(g[0].settings[k] ?? null))).size > 1)
      .map((k) => `${k} ${group[0].settings[k] ?? "—"}`);
  };
  // Each ladder against its largest quant, test by test.
  const ladderGroups = groups.filter((group) => new Set(group.map((p) => p.model_label)).size > 1);
  const largest = ladderGroups.map((group) => [...group].sort((a, b) => b.size_gib - a.size_gib)[0].model_label);
  const refs = aq.referencesWithin(
    ladderGroups,
    (q) => q.test,
    (q, g) => q.model_label === largest[g]
  );
  const ladders: Ladder[] = [];
  for (const [g, group] of ladderGroups.entries()) {
    const referenceQuant = group.find((q) => q.model_label === largest[g])!.quant;
    const rungs: Rung[] = group.map((p, i) => {
      const isRef = p.model_label === largest[g];
      const ref = refs[g][i];
      return {
        ...p,
        reference: referenceQuant,
        is_reference: isRef,
        comparison: ref && !isRef ? compareMeans(asMeasured(ref), asMeasured(p)) : null
      };
    });
    // Only tests that at least two quants share make a ladder.
    const perTest = aq.countValues(rungs.map((r) => r.test));
    const shared = rungs.filter((r) => perTest.get(r.test)! > 1);
    if (shared.length === 0) continue;
    shared.sort((a, b) => a.kind.localeCompare(b.kind) || a.test.localeCompare(b.test) || a.size_gib - b.size_gib);
    const setup = [group[0].setup, ...differing(group)].filter(Boolean).join(" · ");
    ladders.push({
      label: `${group[0].family} on ${group[0].hardware}${setup ? ` (${setup})` : ""}`,
      hardware: group[0].hardware,
      family: group[0].family,
      reference: shared[0].reference,
      rungs: shared
    });
  }
  return ladders.sort((a, b) => a.label.localeCompare(b.label));
}

const asMeasured = (p: QuantPoint) => ({
  value: p.value,
  stddev: p.stddev,
  stddev_kind: p.stddev_kind,
  repetitions: p.repetitions
});

/**
 * One family's quants side by side, one panel per test (pp and tg share the
 * axis because each bar is a ratio to the largest quant); the interval on each
 * bar is the ratio's (uncertainty.ts), the label above it the value as printed.
 */
export function ladderPlot(
  rungs: Rung[],
  {width = 640, height = 300}: {width?: number; height?: number} = {}
): SVGSVGElement | HTMLElement {
  const quants = [...new Map([...rungs].sort((a, b) => a.size_gib - b.size_gib).map((r) => [r.quant, r])).keys()];
  // By bits per weight, two quants of the same bits in shades of that colour (MXFP4 and Q4_K_XL).
  const quantColors = seriesColors(
    quants.map((q) => ({series: q, quant: q})),
    {by: "quant"}
  );
  const tests = [
    ...new Set([...rungs].sort((a, b) => a.kind.localeCompare(b.kind) || a.n_depth - b.n_depth).map((r) => r.test))
  ];
  const ratio = (r: Rung) => (r.is_reference ? 1 : (r.comparison?.ratio ?? NaN));
  const interval = rungs.filter((r) => r.comparison && r.comparison.low !== null);
  return Plot.plot({
    width,
    height,
    marginTop: 40,
    marginBottom: 40,
    insetTop: 14,
    fx: {label: null, domain: tests, padding: 0.12, axis: "bottom"},
    x: {label: null, domain: quants, tickRotate: quants.length > 3 ? -20 : 0, axis: "top"},
    y: {label: `ratio to ${rungs[0]?.reference ?? "the largest quant"} (×)`, grid: true},
    // A quantization has one colour on every chart (shared/chart.ts: by bits per weight).
    color: {type: "categorical", domain: quantColors.domain, range: quantColors.range},
    marks: [
      Plot.barY(rungs, {
        fx: "test",
        x: "quant",
        y: ratio,
        fill: "quant",
        title: (r: Rung) =>
          `${pointTitle(r)}${r.comparison ? `\n${formatRatio(r.comparison)} of ${r.reference}\n${r.comparison.note}` : "\nreference"}`
      }),
      Plot.ruleX(interval, {
        fx: "test",
        x: "quant",
        y1: (r: Rung) => r.comparison!.low!,
        y2: (r: Rung) => r.comparison!.high!,
        stroke: "currentColor",
        ...ERROR_BAR
      }),
      Plot.text(rungs, {
        fx: "test",
        x: "quant",
        y: (r: Rung) => Math.max(ratio(r), r.comparison?.high ?? 0),
        text: (r: Rung) => fmt3(r.value),
        dy: -6,
        lineAnchor: "bottom",
        fontSize: 10,
        fill: "currentColor",
        stroke: "var(--theme-background, white)",
        strokeWidth: 3,
        paintOrder: "stroke"
      }),
      Plot.ruleY([1], {stroke: "currentColor", strokeOpacity: 0.5}),
      Plot.ruleY([0])
    ]
  });
}

export const LADDER_COLUMNS = [
  "hardware",
  "family",
  "test",
  "quant",
  "size",
  "value",
  "stddev",
  "reference",
  "ratio",
  "ratio_low",
  "ratio_high",
  "within_noise",
  "source"
];

export function ladderTableRows(rungs: Rung[]): Record<string, string | number | boolean | null>[] {
  return rungs.map((r) => {
    const {method: _, ...columns} = comparedColumns(r);
    return {
      hardware: r.hardware,
      family: r.family,
      test: r.test,
      quant: r.quant,
      size: r.size_text,
      value: r.value,
      stddev: r.stddev,
      reference: r.reference,
      ...columns
    };
  });
}

export function ladderTable(rungs: Rung[]): HTMLElement {
  return comparisonTable(rungs, {
    columns: {test: "test", quant: "quant", size_text: "size (as printed)"},
    ratioHeader: "ratio to the largest quant",
    rows: 12
  });
}
